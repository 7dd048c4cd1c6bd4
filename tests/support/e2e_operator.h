// e2e_operator: the keyroll binary as a child process for end-to-end tests. Starts it with
// the contract's flags (--log-format json, metrics/probe on 127.0.0.1:0, --provider-ca-file),
// reads the chosen ports from its "... listening" log lines, waits for /readyz, and can
// stop (SIGTERM), kill -9 and restart it (each start logs to its own file; AllLogs() reads
// them all, for leak checks). KEYROLL_FAILPOINTS and other env go in per start.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tests/support/process.h"

namespace keyroll::testing {

// True when the keyroll executable has been built (the controller branch provides it).
bool KeyrollBinaryAvailable();

struct KeyrollOptions {
  std::string kubeconfig;
  std::string watch_namespace;   // --namespace ("" watches all)
  std::string provider_ca_file;  // the QStash fake's CA
  std::string log_dir;           // keyroll-<n>.log files go here
  std::vector<std::string> extra_args;
};

struct HttpAnswer {
  int status = 0;  // 0: no answer (connection refused, ...)
  std::string body;
};

class KeyrollOperator {
 public:
  explicit KeyrollOperator(KeyrollOptions options);
  ~KeyrollOperator();

  // Starts the process; throws std::runtime_error if it does not log both listening lines
  // within `timeout` (with the log's tail in the message).
  void Start(const std::map<std::string, std::string>& env = {},
             std::chrono::milliseconds timeout = std::chrono::seconds(20));
  bool WaitReady(std::chrono::milliseconds timeout = std::chrono::seconds(20));
  std::optional<int> Stop();  // SIGTERM; the waitpid status
  void Kill();                // kill -9
  // Waits until the process is gone by itself (a failpoint kill); false on timeout.
  bool WaitExit(std::chrono::milliseconds timeout = std::chrono::seconds(20));
  void Restart(const std::map<std::string, std::string>& env = {}, bool kill = false);

  bool running();
  int metrics_port() const { return metrics_port_; }
  int probe_port() const { return probe_port_; }
  HttpAnswer Probe(const std::string& path);  // /healthz, /readyz
  HttpAnswer Metrics();                       // GET /metrics
  std::string CurrentLog() const;
  std::string AllLogs() const;
  const std::vector<std::string>& log_paths() const { return log_paths_; }
  // The log lines (JSON objects) whose "msg" contains `fragment`, from every start.
  std::vector<std::string> LogLinesWith(const std::string& fragment) const;

 private:
  KeyrollOptions options_;
  std::unique_ptr<Process> process_;
  std::vector<std::string> log_paths_;
  int metrics_port_ = 0;
  int probe_port_ = 0;
};

// GET http://127.0.0.1:port/path with a short timeout.
HttpAnswer HttpGetLocal(int port, const std::string& path);

}  // namespace keyroll::testing
