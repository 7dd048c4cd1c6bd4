// reconciler: one reconcile of one SigningKeyRotation. Observe (caches + provider, see
// observe.h) -> rotation::Decide(observed, now) -> apply the plan in the order decide.h
// prescribes:
//   0. read_provider: read the keys (shared per account, bounded: a read still in flight
//      ends the reconcile with a requeue, see provider_cache.h), Decide again, apply that plan;
//   1. the Secret write (Create, or PUT with the observed resourceVersion; raw keys must
//      hash to the plan's keysHash); on failure stop and back off;
//   2. consumer restarts (merge patch of the pod template's keys-hash annotation);
//   3. the status (PUT /status with the resource's resourceVersion); 409 -> back off; a
//      status that says only progress is held a while instead (held_status.h);
//   events of the plan (after its writes);
//   4. rotate, only after 3 succeeded: exactly once, then Decide with the outcome and
//      the status just written, and apply that plan from step 1;
//   5. metrics and the requeue (requeue_after, and per-key backoff when asked).
// A write that RBAC refuses (403) is reported (ReportForbidden), then backed off like any failure.
// A steady state makes no writes: only what the plan asks for is written.
#pragma once

#include <array>
#include <memory>
#include <mutex>
#include <set>

#include <string>

#include "operator/controller/fresh_reader.h"
#include "operator/controller/held_status.h"
#include "operator/controller/informers.h"
#include "operator/controller/observe.h"
#include "operator/controller/provider_cache.h"
#include "operator/runtime/worker_pool.h"
#include "operator/http/metrics.h"
#include "operator/kube/events.h"
#include "operator/rotation/plan.h"

namespace keyroll::controller {

class Reconciler {
 public:
  // Everything passed must outlive the reconciler.
  Reconciler(kube::Client& client, Informers& informers, ProviderCache& providers, http::Metrics& metrics,
             kube::EventRecorder& events, rotation::Seconds pending_settle = rotation::kPendingSettle);

  // Thread-safe for different keys (the workqueue never hands one key to two workers).
  runtime::ReconcileResult Reconcile(const std::string& key);

 private:
  struct Outcome {
    bool backoff = false;
    std::optional<rotation::Seconds> requeue_after;
  };
  Outcome Apply(Observation& obs, const rotation::Plan& plan, int depth);
  bool ApplySecret(Observation& obs, const rotation::SecretWrite& write);
  bool ApplyRestarts(Observation& obs, const rotation::Plan& plan);
  bool ApplyStatus(Observation& obs, const rotation::Status& status);
  void EmitEvents(const Observation& obs, const rotation::Plan& plan);
  // RBAC refused `action` (e.g. "create secrets"): an error log, a Warning event Forbidden
  // and, when `condition`, Ready=False reason Forbidden; never a silent backoff.
  void ReportForbidden(Observation& obs, const std::string& action, const kube::KubeError& error, bool condition);
  void UpdateResourceMetrics(const Observation& obs);

  kube::Client& client_;
  ProviderCache& providers_;
  http::Metrics& metrics_;
  kube::EventRecorder& events_;
  FreshReader resources_;
  FreshReader secrets_;
  // One per rotation::WorkloadKind.
  std::array<std::unique_ptr<FreshReader>, rotation::kWorkloadKinds.size()> workloads_;
  ObserveSources sources_;
  // Target Secrets whose create answered 409 AlreadyExists: the next observation reads them.
  std::mutex live_checks_mu_;
  std::set<std::string> live_checks_;
  HeldStatus held_;  // status progress not written yet
};

// A reconcile whose provider read is still in flight looks again after this at the latest.
inline constexpr std::chrono::milliseconds kProviderReadRecheck{5000};
// How long a reconcile waits for the cache to show our own status write (its watch event
// wakes the key) before it reads the resource live instead: a watch delivers in milliseconds;
// one that is down (an API server outage) is retried after up to 30-60 s.
inline constexpr std::chrono::milliseconds kOwnWriteCatchUp{5000};

// The wall clock as the core's Time (whole seconds).
rotation::Time Now();

}  // namespace keyroll::controller
