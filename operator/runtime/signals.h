// signals: turns SIGTERM and SIGINT into a clean shutdown. The main loop waits on a
// ShutdownSignal; the first signal requests shutdown, a second one exits at once with
// status 1 (as controller-runtime does), for an operator stuck while stopping.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>

namespace keyroll::runtime {

// A one-way "stop now" flag that threads can wait on. Usable without signals (tests, or a
// lost leader election requesting shutdown).
class ShutdownSignal {
 public:
  void Request(const std::string& reason);  // the first reason is kept
  bool Requested() const;
  std::string Reason() const;
  void Wait() const;
  // True if shutdown was requested within `timeout`.
  bool WaitFor(std::chrono::milliseconds timeout) const;

 private:
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  bool requested_ = false;
  std::string reason_;
};

// Installs SIGTERM/SIGINT handlers that Request() shutdown on `signal` ("SIGTERM"/"SIGINT"),
// through a self-pipe read by a background thread. Call once, early in main(); `signal`
// must live until the process exits. Returns false if the handlers could not be installed.
bool InstallShutdownHandlers(ShutdownSignal& signal);

}  // namespace keyroll::runtime
