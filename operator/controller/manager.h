// manager: wires the controller together — informers feed keys into the workqueue, a
// WorkerPool of --max-concurrent-reconciles workers runs the Reconciler on them. Caches
// start first (StartCaches/WaitForCaches); workers start separately (StartWorkers) so that
// leader election can gate them: every replica keeps warm caches, only the leader works.
// Probes: readiness = caches synced; liveness = no reconcile stuck for longer than a
// reconcile can legitimately take.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>

#include "operator/controller/informers.h"
#include "operator/controller/provider_cache.h"
#include "operator/controller/reconciler.h"
#include "operator/runtime/signals.h"
#include "operator/runtime/worker_pool.h"
#include "operator/runtime/workqueue.h"
#include "operator/http/metrics.h"
#include "operator/http/probe_server.h"
#include "operator/kube/client.h"
#include "operator/kube/events.h"

namespace keyroll::controller {

struct ManagerOptions {
  std::string watch_namespace;  // "" = all namespaces
  int workers = 4;
  std::string provider_ca_file;
  std::chrono::milliseconds provider_read_timeout{10000};  // --provider-read-timeout
  rotation::Seconds pending_settle{rotation::kPendingSettle};  // see --pending-rotation-settle
  // A worker busy on one key longer than this fails liveness (provider calls time out far
  // sooner; a reconcile makes a bounded number of them).
  std::chrono::milliseconds stuck_after{std::chrono::minutes(5)};
};

class Manager {
 public:
  Manager(kube::Client& client, http::Metrics& metrics, ManagerOptions options);
  ~Manager();  // Stop()
  Manager(const Manager&) = delete;
  Manager& operator=(const Manager&) = delete;

  void StartCaches();
  // True once every cache has synced; false if `stop` was requested first.
  bool WaitForCaches(const runtime::ShutdownSignal& stop);
  void StartWorkers();
  bool workers_running() const { return workers_running_.load(); }
  // Stops workers (each finishes its key), then the informers.
  void Stop();

  http::CheckResult Ready() const;
  http::CheckResult Alive() const;
  // Periodic housekeeping (main calls it every minute): drops expired provider connects.
  void Tidy();

 private:
  ManagerOptions options_;
  http::Metrics& metrics_;
  runtime::Workqueue queue_;
  kube::EventRecorder events_;
  ProviderCache providers_;
  Informers informers_;
  Reconciler reconciler_;
  runtime::WorkerPool workers_;
  std::atomic<bool> workers_running_{false};
};

}  // namespace keyroll::controller
