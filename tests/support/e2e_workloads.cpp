#include "tests/support/e2e_workloads.h"

#include <cstdio>

#include <nlohmann/json.hpp>

#include "operator/rotation/workload.h"

namespace keyroll::testing {
namespace {

using nlohmann::json;

constexpr int kDaemonSetNodes = 2;

json DeploymentComplete(int64_t generation, int replicas) {
  return {{"observedGeneration", generation}, {"replicas", replicas}, {"updatedReplicas", replicas},
          {"readyReplicas", replicas}, {"availableReplicas", replicas},
          {"conditions", {{{"type", "Available"}, {"status", "True"}, {"reason", "MinimumReplicasAvailable"},
                           {"message", "Deployment has minimum availability."}},
                          {{"type", "Progressing"}, {"status", "True"}, {"reason", "NewReplicaSetAvailable"},
                           {"message", "ReplicaSet has successfully progressed."}}}}};
}

json DeploymentFailed(int64_t generation, int replicas) {
  return {{"observedGeneration", generation}, {"replicas", replicas + 1}, {"updatedReplicas", 1},
          {"readyReplicas", replicas}, {"availableReplicas", replicas}, {"unavailableReplicas", 1},
          {"conditions", {{{"type", "Available"}, {"status", "True"}, {"reason", "MinimumReplicasAvailable"},
                           {"message", "Deployment has minimum availability."}},
                          {{"type", "Progressing"}, {"status", "False"}, {"reason", "ProgressDeadlineExceeded"},
                           {"message", "ReplicaSet has timed out progressing."}}}}};
}

// `updated` pods run the new revision; the others keep the one they had.
json StatefulSetStatus(const std::string& name, int64_t generation, int replicas, int updated,
                       const std::string& previous_revision) {
  std::string update_revision = name + "-r" + std::to_string(generation);
  std::string current_revision = updated >= replicas ? update_revision : previous_revision;
  return {{"observedGeneration", generation}, {"replicas", replicas},     {"readyReplicas", replicas},
          {"availableReplicas", replicas},    {"updatedReplicas", updated}, {"currentReplicas", updated >= replicas ? replicas : replicas - updated},
          {"currentRevision", current_revision}, {"updateRevision", update_revision}, {"collisionCount", 0}};
}

// As Argo Rollouts writes it (rollouts/v1alpha1 RolloutStatus): observedGeneration is a string.
json ArgoRolloutStatus(int64_t generation, int replicas, bool paused, const std::string& stable) {
  const std::string current = "hash" + std::to_string(generation);
  json s = {{"observedGeneration", std::to_string(generation)},
            {"replicas", replicas},
            {"updatedReplicas", paused ? 1 : replicas},
            {"readyReplicas", replicas},
            {"availableReplicas", replicas},
            {"currentPodHash", current},
            {"stableRS", paused ? stable : current},
            {"phase", paused ? "Paused" : "Healthy"},
            {"message", paused ? "CanaryPauseStep" : ""}};
  if (paused) {
    s["controllerPause"] = true;
    s["pauseConditions"] = {{{"reason", "CanaryPauseStep"}, {"startTime", "2026-01-01T00:00:00Z"}}};
  } else {
    s["controllerPause"] = nullptr;
    s["pauseConditions"] = nullptr;
  }
  return s;
}

json DaemonSetStatus(int64_t generation, int updated) {
  return {{"observedGeneration", generation}, {"desiredNumberScheduled", kDaemonSetNodes},
          {"currentNumberScheduled", kDaemonSetNodes}, {"numberMisscheduled", 0},
          {"updatedNumberScheduled", updated}, {"numberAvailable", kDaemonSetNodes},
          {"numberReady", kDaemonSetNodes}};
}

// Whether a controller's status says the rollout of `gen` is complete (as kubectl judges).
bool CompleteByController(const std::string& kind, const json& w, int64_t gen, int64_t observed) {
  if (observed < gen) return false;
  auto at = [&](const char* p) { return w.value(json::json_pointer(p), json()); };
  auto num = [&](const char* p) { return at(p).is_number() ? at(p).get<int64_t>() : -1; };
  const int64_t replicas = w.value("/spec/replicas"_json_pointer, int64_t{1});
  if (kind == "Deployment")
    return num("/status/updatedReplicas") == replicas && num("/status/availableReplicas") == replicas &&
           num("/status/replicas") == replicas;
  if (kind == "StatefulSet")
    return num("/status/updatedReplicas") == replicas && at("/status/updateRevision").is_string() &&
           at("/status/updateRevision") == at("/status/currentRevision");
  if (kind == "DaemonSet")
    return num("/status/desiredNumberScheduled") >= 0 &&
           num("/status/updatedNumberScheduled") == num("/status/desiredNumberScheduled") &&
           num("/status/numberAvailable") == num("/status/desiredNumberScheduled");
  return at("/status/phase") == "Healthy";  // Argo Rollout
}

int64_t ObservedGeneration(const json& w) {
  const json observed = w.value("/status/observedGeneration"_json_pointer, json(0));  // Argo's is a string
  return observed.is_string() ? std::stoll(observed.get<std::string>()) : observed.is_number() ? observed.get<int64_t>() : 0;
}

}  // namespace

bool RolloutComplete(const std::string& kind, const json& w) {
  return CompleteByController(kind, w, w.value("/metadata/generation"_json_pointer, int64_t{0}), ObservedGeneration(w));
}

std::string TemplateKeysHash(const json& w) {
  return w.value("/spec/template/metadata/annotations"_json_pointer, json::object()).value("keyroll.dev/keys-hash", "");
}

WorkloadSimulator::WorkloadSimulator(kube::Client& client, std::string ns, std::chrono::milliseconds delay)
    : client_(client), ns_(std::move(ns)), delay_(delay), thread_([this] { Loop(); }) {}

WorkloadSimulator::~WorkloadSimulator() {
  stop_ = true;
  thread_.join();
}

void WorkloadSimulator::Hold(const std::string& name) {
  std::lock_guard lock(mu_);
  held_.insert(name);
}
void WorkloadSimulator::Release(const std::string& name) {
  std::lock_guard lock(mu_);
  held_.erase(name);
}
void WorkloadSimulator::Fail(const std::string& name) {
  std::lock_guard lock(mu_);
  failed_.insert(name);
}
void WorkloadSimulator::Unfail(const std::string& name) {
  std::lock_guard lock(mu_);
  failed_.erase(name);
}
void WorkloadSimulator::PauseForPromotion(const std::string& name) {
  std::lock_guard lock(mu_);
  paused_.insert(name);
}
void WorkloadSimulator::Promote(const std::string& name) {
  std::lock_guard lock(mu_);
  paused_.erase(name);
  replace_.insert(name);
}

void WorkloadSimulator::ReplacePods(const std::string& name) {
  std::lock_guard lock(mu_);
  replace_.insert(name);
}

std::vector<Rollout> WorkloadSimulator::Rollouts() const {
  std::lock_guard lock(mu_);
  return rollouts_;
}

std::vector<Rollout> WorkloadSimulator::RolloutsOf(const std::string& name) const {
  std::vector<Rollout> out;
  for (auto& r : Rollouts()) {
    if (r.workload == name) out.push_back(r);
  }
  return out;
}

std::string WorkloadSimulator::LastRolledHash(const std::string& name) const {
  auto rs = RolloutsOf(name);
  return rs.empty() ? "" : rs.back().keys_hash;
}

int WorkloadSimulator::PendingCount(const std::string& name) const {
  std::lock_guard lock(mu_);
  auto it = pending_.find(name);
  return it == pending_.end() ? 0 : it->second;
}

bool WorkloadSimulator::StoodDown(const std::string& kind) const {
  std::lock_guard lock(mu_);
  return stood_down_.count(kind) > 0;
}

void WorkloadSimulator::Loop() {
  while (!stop_) {
    Step();
    ++steps_;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

void WorkloadSimulator::Step() {
  StepKind(kube::resources::kDeployments, "Deployment");
  StepKind(kube::resources::kStatefulSets, "StatefulSet");
  StepKind(kube::resources::kDaemonSets, "DaemonSet");
  StepKind(kube::resources::kRollouts, "Rollout");  // a 404 where Argo Rollouts is not installed
}

void WorkloadSimulator::StepKind(const kube::ResourceRef& resource, const std::string& kind) {
  auto list = client_.List(resource, ns_);
  if (!list) return;  // the namespace may be going away; try again
  auto now = std::chrono::steady_clock::now();
  for (const auto& w : list->items) {
    const std::string name = rotation::DisplayName(*rotation::KindFromName(kind), kube::NameOf(w));
    const int64_t gen = w.value("/metadata/generation"_json_pointer, int64_t{0});
    const int64_t observed = ObservedGeneration(w);
    const int replicas = w.value("/spec/replicas"_json_pointer, 1);
    const std::string strategy = w.value("/spec/updateStrategy/type"_json_pointer, std::string("RollingUpdate"));
    const int partition = w.value("/spec/updateStrategy/rollingUpdate/partition"_json_pointer, 0);
    // A rollout the controller observed but could not finish (OnDelete, partition).
    const bool incomplete = kind == "StatefulSet" ? w.value("/status/updatedReplicas"_json_pointer, 0) < replicas
                            : kind == "DaemonSet"
                                ? w.value("/status/updatedNumberScheduled"_json_pointer, 0) < kDaemonSetNodes
                                : kind == "Rollout" && w.value("/status/phase"_json_pointer, std::string()) != "Healthy";
    bool held, failed, replace, paused;
    const std::string key = name + "@" + std::to_string(gen);
    {
      std::lock_guard lock(mu_);
      // A status generation the simulator did not write: a real controller runs this kind.
      if (observed > 0 && !written_.count(name + "@" + std::to_string(observed)) && stood_down_.insert(kind).second)
        std::fprintf(stderr, "[workload simulator] a controller writes %s status (%s, observedGeneration %lld): "
                     "the simulator stands down for %ss\n", kind.c_str(), name.c_str(),
                     static_cast<long long>(observed), kind.c_str());
      if (stood_down_.count(kind)) {  // only watch the controller: record what it completes
        const bool done = CompleteByController(kind, w, gen, observed);
        pending_[name] = done ? 0 : 1;
        if (done && recorded_.insert(key).second) rollouts_.push_back({name, gen, TemplateKeysHash(w), now});
        continue;
      }
      replace = replace_.count(name) > 0;
      paused = paused_.count(name) > 0 && observed > 0;  // a new Rollout starts at full weight
      pending_[name] = gen > observed ? 1 : 0;
      if (gen <= observed && !(replace && incomplete)) continue;
      held = held_.count(name) > 0;
      failed = failed_.count(name) > 0;
      first_seen_.try_emplace(key, now);
      if (held || now - first_seen_[key] < delay_) continue;
    }
    // How many pods the controller updates by itself: all, none (OnDelete) or those at or
    // above the partition; ReplacePods stands for a person deleting the rest.
    // Pods created with the workload run its template whatever the strategy.
    const bool on_delete = strategy == "OnDelete" && observed > 0;
    const int held_back = observed > 0 ? partition : 0;
    json status;
    bool complete = true;
    if (kind == "Deployment") {
      status = failed ? DeploymentFailed(gen, replicas) : DeploymentComplete(gen, replicas);
      complete = !failed;
    } else if (kind == "StatefulSet") {
      int updated = replace ? replicas : on_delete ? 0 : std::max(0, replicas - held_back);
      std::string previous = w.value("/status/currentRevision"_json_pointer, kube::NameOf(w) + "-r0");
      status = StatefulSetStatus(kube::NameOf(w), gen, replicas, updated, previous);
      complete = updated >= replicas;
    } else if (kind == "Rollout") {
      status = ArgoRolloutStatus(gen, replicas, paused, w.value("/status/stableRS"_json_pointer, std::string()));
      complete = !paused;
    } else {
      int updated = replace || !on_delete ? kDaemonSetNodes : 0;
      status = DaemonSetStatus(gen, updated);
      complete = updated >= kDaemonSetNodes;
    }
    {
      std::lock_guard lock(mu_);
      written_.insert(key);  // before the write: the next poll must not take it for a controller's
    }
    auto r = client_.MergePatchStatus(resource, ns_, kube::NameOf(w), {{"status", status}});
    if (!r) continue;
    std::lock_guard lock(mu_);
    pending_[name] = 0;
    if (replace && complete) replace_.erase(name);
    if (complete && recorded_.insert(key).second)
      rollouts_.push_back({name, gen, TemplateKeysHash(w), std::chrono::steady_clock::now()});
  }
}

}  // namespace keyroll::testing
