// options: the operator's command-line flags, in controller-runtime's style and names.
// ParseOptions never exits the process: it returns the options, or the text to print and
// the exit code (0 for --help/--version, 2 for a bad command line).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <spdlog/common.h>

#include "operator/log/logging.h"
#include "operator/http/bind_address.h"

namespace keyroll::app {

// The version --version prints.
const char* Version();

struct Options {
  std::string kubeconfig;                 // --kubeconfig (empty: $KUBECONFIG, then in-cluster)
  std::string context;                    // --context (kubeconfig context)
  std::string watch_namespace;            // --namespace (empty: all namespaces)
  bool leader_elect = false;              // --leader-elect
  std::string leader_election_namespace;  // --leader-election-namespace (empty: the pod's)
  std::string leader_election_id = "keyroll-leader";
  std::chrono::milliseconds lease_duration{std::chrono::seconds(15)};
  std::chrono::milliseconds renew_deadline{std::chrono::seconds(10)};
  std::chrono::milliseconds retry_period{std::chrono::seconds(2)};
  http::BindAddress metrics_bind_address{false, "0.0.0.0", 8080};
  http::BindAddress health_probe_bind_address{false, "0.0.0.0", 8081};
  int max_concurrent_reconciles = 4;
  // Client-side API rate limit (client-go's QPS/Burst). 0 QPS: none. See options.cpp.
  double kube_api_qps = 100;
  int kube_api_burst = 200;
  spdlog::level::level_enum log_level = spdlog::level::info;
  log::Format log_format = log::Format::kText;
  std::string provider_ca_file;           // extra CA bundle trusted for provider APIs
  std::chrono::milliseconds provider_read_timeout{std::chrono::seconds(10)};  // per provider request
  // After a rotate whose outcome is unknown, how long before an unchanged provider answer is
  // believed to mean "not rotated". Must exceed every provider call's timeout; lowered in tests.
  std::chrono::milliseconds pending_rotation_settle{std::chrono::seconds(120)};
  std::chrono::milliseconds sync_period{std::chrono::hours(10)};  // informer resync
};

struct ParseOutcome {
  std::optional<Options> options;  // set when the operator should run
  int exit_code = 0;               // otherwise: 0 (help, version) or 2 (bad flags)
  std::string message;             // help/version text (stdout) or the error (stderr)
};

// argv[0] is the program name.
ParseOutcome ParseOptions(int argc, const char* const* argv);
ParseOutcome ParseOptions(const std::vector<std::string>& argv);

}  // namespace keyroll::app
