// main.cpp — keyroll's entry point: flags and wiring only. ParseOptions -> logging ->
// kubeconfig -> API client -> metrics and probe servers -> Manager (caches, then workers;
// with --leader-elect workers start only once this replica leads) -> wait for
// SIGTERM/SIGINT -> stop everything -> exit 0 (1 for a bad setup or a lost lease).
#include <cstdio>
#include <memory>
#include <string>

#include "operator/app/heap.h"
#include "operator/runtime/leader_election.h"
#include "operator/log/logging.h"
#include "operator/controller/manager.h"
#include "operator/app/options.h"
#include "operator/runtime/signals.h"
#include "operator/http/metrics.h"
#include "operator/http/metrics_server.h"
#include "operator/http/probe_server.h"
#include "operator/kube/client.h"
#include "operator/kube/config.h"

namespace {

using namespace keyroll;


constexpr const char* kLeaseLost = "leader election lost";

// The address actually bound ("127.0.0.1:PORT" for "127.0.0.1:0").
std::string BoundAddress(http::BindAddress address, int port) {
  address.port = port;
  return address.ToString();
}

int Run(const app::Options& opts) {
  runtime::ShutdownSignal stop;
  if (!runtime::InstallShutdownHandlers(stop)) {
    log::Error("cannot install signal handlers");
    return 1;
  }
  auto config = kube::LoadConfig(opts.kubeconfig, opts.context);
  if (!config) {
    log::Error("cannot load the Kubernetes configuration", {{"error", config.error().ToString()}});
    return 1;
  }
  // As client-go does: API server audit logs and request counts can tell keyroll apart.
  config->user_agent = std::string("keyroll/") + app::Version();
  kube::TransportOptions transport;
  transport.qps = opts.kube_api_qps;
  transport.burst = opts.kube_api_burst;
  auto client = kube::Client::Create(*config, transport);
  if (!client) {
    log::Error("cannot create the Kubernetes client", {{"error", client.error().ToString()}});
    return 1;
  }

  http::Metrics metrics(app::Version());
  http::MetricsServer metrics_server(metrics);
  std::string error;
  if (!opts.metrics_bind_address.disabled) {
    if (!metrics_server.Start(opts.metrics_bind_address, &error)) {
      log::Error("cannot start the metrics server", {{"error", error}});
      return 1;
    }
    log::Info("metrics server listening",
              {{"address", BoundAddress(opts.metrics_bind_address, metrics_server.port())}});
  }

  controller::ManagerOptions mo;
  mo.watch_namespace = opts.watch_namespace;
  mo.workers = opts.max_concurrent_reconciles;
  mo.provider_ca_file = opts.provider_ca_file;
  mo.provider_read_timeout = opts.provider_read_timeout;
  mo.pending_settle = std::chrono::duration_cast<rotation::Seconds>(opts.pending_rotation_settle);
  controller::Manager manager(**client, metrics, mo);

  http::ProbeServer probes;
  probes.AddReadinessCheck("caches-synced", [&manager] { return manager.Ready(); });
  probes.AddLivenessCheck("workqueue", [&manager] { return manager.Alive(); });
  if (!opts.health_probe_bind_address.disabled) {
    if (!probes.Start(opts.health_probe_bind_address, &error)) {
      log::Error("cannot start the probe server", {{"error", error}});
      return 1;
    }
    log::Info("probe server listening",
              {{"address", BoundAddress(opts.health_probe_bind_address, probes.port())}});
  }

  log::Info("starting", {{"version", app::Version()},
                         {"namespace", opts.watch_namespace.empty() ? "(all)" : opts.watch_namespace},
                         {"workers", std::to_string(opts.max_concurrent_reconciles)}});
  // Leader election: every replica keeps warm caches and answers probes (ready once synced,
  // standby too); only the leader runs workers. Losing the lease stops the process.
  std::unique_ptr<runtime::LeaderElector> elector;
  if (opts.leader_elect) {
    runtime::LeaderElectionConfig le;
    le.namespace_name = opts.leader_election_namespace;
    le.name = opts.leader_election_id;
    le.lease_duration = opts.lease_duration;
    le.renew_deadline = opts.renew_deadline;
    le.retry_period = opts.retry_period;
    le.set_is_leader = [&metrics](bool leading) { metrics.SetLeader(leading); };
    le.callbacks.on_started_leading = [&manager] {
      log::Info("became leader; starting workers");
      manager.StartWorkers();
    };
    le.callbacks.on_stopped_leading = [&stop] { stop.Request(kLeaseLost); };
    le.callbacks.on_new_leader = [](const std::string& identity) { log::Info("leader", {{"identity", identity}}); };
    if (auto why = runtime::ValidateLeaderElectionConfig(le); !why.empty()) {
      log::Error("invalid leader election settings", {{"error", why}});
      return 1;
    }
    try {
      elector = std::make_unique<runtime::LeaderElector>(**client, le);
    } catch (const std::exception& e) {
      log::Error("cannot start leader election", {{"error", e.what()}});
      return 1;
    }
  }

  manager.StartCaches();
  if (manager.WaitForCaches(stop)) {
    log::Info("caches synced");
    app::ReleaseFreeHeap();  // the pages of the first lists
    if (elector) {
      elector->Start();
    } else {
      manager.StartWorkers();
      metrics.SetLeader(true);  // without leader election this replica is the only worker
    }
    while (!stop.WaitFor(std::chrono::minutes(1))) {
      manager.Tidy();
      app::ReleaseFreeHeap();
    }
  }
  log::Info("shutting down", {{"reason", stop.Reason()}});
  probes.Stop();
  manager.Stop();             // workers finish their keys first ...
  if (elector) elector->Stop();  // ... then the lease is released for a standby
  metrics_server.Stop();
  log::Info("stopped");
  log::Flush();
  return stop.Reason() == kLeaseLost ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  keyroll::app::ConfigureHeap();
  auto parsed = keyroll::app::ParseOptions(argc, argv);
  if (!parsed.options) {
    std::fputs(parsed.message.c_str(), parsed.exit_code == 0 ? stdout : stderr);
    return parsed.exit_code;
  }
  log::Setup(parsed.options->log_level, parsed.options->log_format);
  return Run(*parsed.options);
}
