// main.cpp — keyroll's entry point: flags and wiring only. ParseOptions -> logging ->
// kubeconfig -> API client -> metrics and probe servers -> Manager (caches, then workers)
// -> wait for SIGTERM/SIGINT -> stop everything -> exit 0.
#include <cstdio>
#include <string>

#include "operator/controller/logging.h"
#include "operator/controller/manager.h"
#include "operator/controller/options.h"
#include "operator/controller/signals.h"
#include "operator/http/metrics.h"
#include "operator/http/metrics_server.h"
#include "operator/http/probe_server.h"
#include "operator/kube/client.h"
#include "operator/kube/config.h"

namespace {

using namespace keyroll;
namespace log = controller::log;

// The address actually bound ("127.0.0.1:PORT" for "127.0.0.1:0").
std::string BoundAddress(http::BindAddress address, int port) {
  address.port = port;
  return address.ToString();
}

int Run(const controller::Options& opts) {
  controller::ShutdownSignal stop;
  if (!controller::InstallShutdownHandlers(stop)) {
    log::Error("cannot install signal handlers");
    return 1;
  }
  // LEADER ELECTION: not wired in this build. With a LeaderElector, only the leader would
  // call manager.StartWorkers() (and metrics.SetLeader); caches and probes run everywhere.
  if (opts.leader_elect) {
    log::Error("--leader-elect is not supported by this build yet; run a single replica without it");
    return 1;
  }

  auto config = kube::LoadConfig(opts.kubeconfig, opts.context);
  if (!config) {
    log::Error("cannot load the Kubernetes configuration", {{"error", config.error().ToString()}});
    return 1;
  }
  auto client = kube::Client::Create(*config);
  if (!client) {
    log::Error("cannot create the Kubernetes client", {{"error", client.error().ToString()}});
    return 1;
  }

  http::Metrics metrics(controller::Version());
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

  log::Info("starting", {{"version", controller::Version()},
                         {"namespace", opts.watch_namespace.empty() ? "(all)" : opts.watch_namespace},
                         {"workers", std::to_string(opts.max_concurrent_reconciles)}});
  manager.StartCaches();
  if (manager.WaitForCaches(stop)) {
    manager.StartWorkers();
    metrics.SetLeader(true);  // without leader election this replica is the only worker
    log::Info("caches synced");
    stop.Wait();
  }
  log::Info("shutting down", {{"reason", stop.Reason()}});
  probes.Stop();
  manager.Stop();
  metrics_server.Stop();
  log::Info("stopped");
  log::Flush();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  auto parsed = keyroll::controller::ParseOptions(argc, argv);
  if (!parsed.options) {
    std::fputs(parsed.message.c_str(), parsed.exit_code == 0 ? stdout : stderr);
    return parsed.exit_code;
  }
  log::Setup(parsed.options->log_level, parsed.options->log_format);
  return Run(*parsed.options);
}
