// process: start a real executable as a child process for a test, capture its output to a
// file, and make sure it is gone when the test ends (RAII; SIGTERM, then SIGKILL).
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <sys/types.h>

namespace keyroll::testing {

struct ProcessOptions {
  std::vector<std::string> argv;             // argv[0] is the path of the executable
  std::map<std::string, std::string> env;    // added to (or overriding) the test's environment
  std::string log_path;                      // stdout and stderr go here (empty: /dev/null)
};

class Process {
 public:
  explicit Process(ProcessOptions options);
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  pid_t pid() const { return pid_; }
  bool running();
  // Sends SIGTERM and waits up to `grace`; then SIGKILL. Returns the exit status
  // as from waitpid (or nullopt if the process had already been reaped).
  std::optional<int> Stop(std::chrono::milliseconds grace = std::chrono::seconds(5));
  void Kill();  // SIGKILL (kill -9) and reap
  // Waits for the process to exit by itself; returns its waitpid status, or nullopt on timeout.
  std::optional<int> Wait(std::chrono::milliseconds timeout);
  // Everything the process has written so far.
  std::string Output() const;
  const std::string& log_path() const { return options_.log_path; }

 private:
  ProcessOptions options_;
  pid_t pid_ = -1;
  std::optional<int> status_;
};

// Path of an executable built by this project (e.g. "keyroll", "fake-kube-apiserver").
std::string BuiltBinary(const std::string& name);

// A TCP port on 127.0.0.1 that was free a moment ago. Prefer servers that bind port 0 and
// report the port; use this only where that is impossible.
int FreePort();

}  // namespace keyroll::testing
