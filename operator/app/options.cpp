#include "operator/app/options.h"

#include <sstream>

#include <CLI/CLI.hpp>

#include "operator/rotation/duration.h"

namespace keyroll::app {

const char* Version() { return KEYROLL_VERSION; }

namespace {

ParseOutcome Fail(const std::string& message) {
  return ParseOutcome{std::nullopt, 2,
                      "keyroll: " + message + "\nRun with --help for more information.\n"};
}

}  // namespace

ParseOutcome ParseOptions(int argc, const char* const* argv) {
  Options o;
  std::string metrics_addr = ":8080", probe_addr = ":8081";
  std::string lease = "15s", renew = "10s", retry = "2s", sync = "10h";
  std::string level = "info", format = "text";

  CLI::App app{"keyroll: keeps provider signing keys in Kubernetes Secrets and rotates them "
               "without downtime.",
               "keyroll"};
  app.set_version_flag("--version", std::string("keyroll ") + Version());
  app.add_option("--kubeconfig", o.kubeconfig,
                 "Path to a kubeconfig (default: $KUBECONFIG, then the in-cluster config)");
  app.add_option("--context", o.context, "kubeconfig context to use (default: current)");
  app.add_option("--namespace", o.watch_namespace,
                 "Watch SigningKeyRotations in this namespace only (default: all)");
  app.add_flag("--leader-elect", o.leader_elect,
               "Elect a leader through a Lease so only one replica reconciles");
  app.add_option("--leader-election-namespace", o.leader_election_namespace,
                 "Namespace of the Lease (default: the pod's namespace)");
  app.add_option("--leader-election-id", o.leader_election_id, "Name of the Lease")
      ->capture_default_str();
  app.add_option("--lease-duration", lease, "How long a Lease is valid without renewal")
      ->capture_default_str();
  app.add_option("--renew-deadline", renew, "How long the leader tries to renew before giving up")
      ->capture_default_str();
  app.add_option("--retry-period", retry, "Time between Lease acquire/renew attempts")
      ->capture_default_str();
  app.add_option("--metrics-bind-address", metrics_addr,
                 "Address of the /metrics endpoint (\"0\" disables it)")
      ->capture_default_str();
  app.add_option("--health-probe-bind-address", probe_addr,
                 "Address of the /healthz and /readyz endpoints (\"0\" disables them)")
      ->capture_default_str();
  app.add_option("--max-concurrent-reconciles", o.max_concurrent_reconciles,
                 "Resources reconciled in parallel")
      ->capture_default_str();
  // Defaults: above controller-runtime's 20/30 (and kube-scheduler's 50/100), because a cold
  // start needs ~4 requests per resource: at 100/s 1,000 resources take ~40 s of API time,
  // about what a real API server served keyroll at anyway (issue 17: ~90 requests/s with 4
  // workers), while a restart storm or a hot loop stays capped well below what an API
  // server's priority-and-fairness share for one client absorbs.
  app.add_option("--kube-api-qps", o.kube_api_qps,
                 "Sustained API requests per second, client side (0: no limit)")
      ->capture_default_str();
  app.add_option("--kube-api-burst", o.kube_api_burst, "API requests allowed at once above --kube-api-qps")
      ->capture_default_str();
  app.add_option("--log-level", level, "trace, debug, info, warn or error")->capture_default_str();
  app.add_option("--log-format", format, "text (for people) or json (one object per line)")
      ->capture_default_str();
  app.add_option("--provider-ca-file", o.provider_ca_file,
                 "Extra PEM CA bundle trusted for provider APIs (the system CAs stay trusted)");
  std::string provider_read_timeout = "10s";
  app.add_option("--provider-read-timeout", provider_read_timeout,
                 "How long one provider request may wait for its answer (a read is retried a few "
                 "times within 20s; a rotate never)")
      ->capture_default_str();
  std::string settle = "2m";
  app.add_option("--pending-rotation-settle", settle,
                 "Wait after an unknown rotate outcome before an unchanged provider answer counts as "
                 "\"not rotated\" (keep it above the provider call timeout, 15s)")
      ->envname("KEYROLL_PENDING_ROTATION_SETTLE")
      ->capture_default_str();
  app.add_option("--sync-period", sync, "Interval at which cached resources are resynced")
      ->capture_default_str();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    std::ostringstream out, err;
    int code = app.exit(e, out, err);
    if (code == static_cast<int>(CLI::ExitCodes::Success)) return {std::nullopt, 0, out.str()};
    return {std::nullopt, 2, "keyroll: " + err.str()};
  }

  auto duration = [](const std::string& flag, const std::string& text,
                     std::chrono::milliseconds* out) -> std::optional<std::string> {
    auto d = rotation::ParseDuration(text);
    if (!d) return "--" + flag + ": \"" + text + "\" is not a duration (e.g. 15s, 1m30s, 2h): " + d.error();
    *out = std::chrono::duration_cast<std::chrono::milliseconds>(d.value());
    return std::nullopt;
  };
  for (auto err : {duration("lease-duration", lease, &o.lease_duration),
                   duration("renew-deadline", renew, &o.renew_deadline),
                   duration("retry-period", retry, &o.retry_period),
                   duration("sync-period", sync, &o.sync_period),
                   duration("pending-rotation-settle", settle, &o.pending_rotation_settle),
                   duration("provider-read-timeout", provider_read_timeout, &o.provider_read_timeout)}) {
    if (err) return Fail(*err);
  }
  // The same rules as client-go's leader election: a leader must be able to renew in time.
  if (o.lease_duration <= o.renew_deadline)
    return Fail("--lease-duration must be greater than --renew-deadline");
  if (o.retry_period.count() <= 0) return Fail("--retry-period must be positive");
  if (o.renew_deadline <= o.retry_period)
    return Fail("--renew-deadline must be greater than --retry-period");
  if (o.sync_period.count() <= 0) return Fail("--sync-period must be positive");
  if (o.provider_read_timeout < std::chrono::milliseconds(100) || o.provider_read_timeout > std::chrono::minutes(1))
    return Fail("--provider-read-timeout must be between 100ms and 1m");

  std::string error;
  if (!http::ParseBindAddress(metrics_addr, &o.metrics_bind_address, &error))
    return Fail("--metrics-bind-address: " + error);
  if (!http::ParseBindAddress(probe_addr, &o.health_probe_bind_address, &error))
    return Fail("--health-probe-bind-address: " + error);
  if (o.kube_api_qps < 0) return Fail("--kube-api-qps must be 0 (no limit) or positive");
  if (o.kube_api_burst < 1) return Fail("--kube-api-burst must be at least 1");
  if (o.max_concurrent_reconciles < 1 || o.max_concurrent_reconciles > 1000)
    return Fail("--max-concurrent-reconciles must be between 1 and 1000");
  auto parsed_level = log::ParseLevel(level);
  if (!parsed_level)
    return Fail("--log-level: \"" + level + "\" is not one of trace, debug, info, warn, error");
  o.log_level = *parsed_level;
  auto parsed_format = log::ParseFormat(format);
  if (!parsed_format) return Fail("--log-format: \"" + format + "\" is not one of text, json");
  o.log_format = *parsed_format;
  if (o.leader_election_id.empty()) return Fail("--leader-election-id must not be empty");
  return {std::move(o), 0, ""};
}

ParseOutcome ParseOptions(const std::vector<std::string>& argv) {
  std::vector<const char*> ptrs;
  for (const auto& a : argv) ptrs.push_back(a.c_str());
  if (ptrs.empty()) ptrs.push_back("keyroll");
  return ParseOptions(static_cast<int>(ptrs.size()), ptrs.data());
}

}  // namespace keyroll::app
