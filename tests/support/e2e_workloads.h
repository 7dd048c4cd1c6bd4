// e2e_workloads: simulated workload controllers for clusters without them (the fake API
// server has none; a real test cluster may have no nodes). A thread polls the namespace's
// Deployments, StatefulSets and DaemonSets every ~50 ms; when metadata.generation >
// status.observedGeneration it waits `delay` and writes the status the kind's controller
// writes when a rollout is complete:
//  - Deployment: observedGeneration, replicas, updated/available/ready, Progressing
//    NewReplicaSetAvailable, Available;
//  - StatefulSet: observedGeneration, replicas, ready/current/updated, currentRevision ==
//    updateRevision (a new revision per generation);
//  - DaemonSet: observedGeneration, desired/current/updated/available/ready = 2 nodes;
//  - Argo Rollout (where its CRD is installed): observedGeneration (a string, as Argo writes
//    it), phase Healthy, stableRS == currentPodHash; PauseForPromotion makes its next rollout
//    stop at a canary pause step (phase Paused) until Promote.
// A test can hold a workload (Hold: no status until Release), fail it (Fail: a Deployment's
// Progressing=False ProgressDeadlineExceeded, an old pod left), and for a StatefulSet or
// DaemonSet whose updateStrategy is OnDelete, or a StatefulSet partition > 0, the simulator
// does what the real controller does: it observes the generation and updates only the pods it
// may (none for OnDelete, those at or above the partition), leaving the rollout incomplete
// until ReplacePods (a person deleting the pods) or a lower partition.
// A real controller (a cluster behind KEYROLL_TEST_KUBECONFIG runs kube-controller-manager,
// and Argo's where installed) writes these statuses itself. The simulator stands down for a
// kind the moment a workload of that kind shows an observedGeneration it did not write: it
// writes no more statuses of that kind and records a rollout when the controller's status
// says it is complete (all replicas updated and available, revisions equal, ...). Hold,
// Fail, ReplacePods and PauseForPromotion cannot steer a real controller: StoodDown() says
// so, for tests to skip with a reason.
// Workloads are named as people see them (rotation::DisplayName): "api" for a Deployment,
// "StatefulSet/worker", "DaemonSet/edge". Every completed rollout is recorded with the pod
// template's keyroll.dev/keys-hash (LastRolledHash); whether each rotation or revocation came
// only after every consumer ran the keys of that moment is judged in the API server's order
// (gate_oracle.h), from the rollout-complete status writes this simulator makes.
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "operator/kube/client.h"

namespace keyroll::testing {

struct Rollout {
  std::string workload;  // display name: "api", "StatefulSet/worker"
  int64_t generation = 0;
  std::string keys_hash;  // the template annotation keyroll.dev/keys-hash ("" if none)
  std::chrono::steady_clock::time_point completed;
};

// Whether the status of workload `w` of `kind` ("Deployment", "StatefulSet", "DaemonSet",
// "Rollout") says the rollout of its current generation is complete, as kubectl judges it.
bool RolloutComplete(const std::string& kind, const nlohmann::json& w);
// The pod template's keyroll.dev/keys-hash ("" if none).
std::string TemplateKeysHash(const nlohmann::json& w);

class WorkloadSimulator {
 public:
  // `client` must outlive the simulator. Starts the thread at once.
  WorkloadSimulator(kube::Client& client, std::string ns,
                    std::chrono::milliseconds delay = std::chrono::milliseconds(200));
  ~WorkloadSimulator();
  WorkloadSimulator(const WorkloadSimulator&) = delete;
  WorkloadSimulator& operator=(const WorkloadSimulator&) = delete;

  void Hold(const std::string& name);     // no status updates until Release
  void Release(const std::string& name);
  void Fail(const std::string& name);     // next rollouts end in ProgressDeadlineExceeded (Deployments)
  void Unfail(const std::string& name);
  // OnDelete / partition: every pod is replaced with the current template (as when a person
  // deletes them), completing the rollout.
  void ReplacePods(const std::string& name);
  // Argo Rollouts: the next rollout of `name` pauses for promotion; Promote finishes it.
  void PauseForPromotion(const std::string& name);
  void Promote(const std::string& name);

  std::vector<Rollout> Rollouts() const;
  std::vector<Rollout> RolloutsOf(const std::string& name) const;
  // Template hash of the last completed rollout of `name` ("" if none).
  std::string LastRolledHash(const std::string& name) const;
  int PendingCount(const std::string& name) const;  // rollouts waiting (held or delayed)
  // True once someone else wrote a status of `kind` ("Deployment", "StatefulSet", ...).
  bool StoodDown(const std::string& kind) const;
  int64_t Steps() const { return steps_.load(); }  // polls done (tests wait on it)

 private:
  void Loop();
  void Step();
  void StepKind(const kube::ResourceRef& resource, const std::string& kind);

  kube::Client& client_;
  std::string ns_;
  std::chrono::milliseconds delay_;
  mutable std::mutex mu_;
  std::set<std::string> held_, failed_, replace_, paused_;
  std::map<std::string, std::chrono::steady_clock::time_point> first_seen_;  // name@gen -> time
  std::vector<Rollout> rollouts_;
  std::map<std::string, int> pending_;
  std::set<std::string> written_;     // name@generation whose status the simulator wrote
  std::set<std::string> stood_down_;  // kinds a real controller runs
  std::set<std::string> recorded_;    // name@generation recorded as rolled out
  std::atomic<int64_t> steps_{0};
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace keyroll::testing
