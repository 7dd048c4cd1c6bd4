#include "tests/support/e2e_deployments.h"

#include <nlohmann/json.hpp>

namespace keyroll::testing {
namespace {

using nlohmann::json;

std::string TemplateHash(const json& d) {
  return d.value("/spec/template/metadata/annotations"_json_pointer, json::object())
      .value("keyroll.dev/keys-hash", "");
}

json CompleteStatus(int64_t generation, int replicas) {
  return {{"observedGeneration", generation}, {"replicas", replicas}, {"updatedReplicas", replicas},
          {"readyReplicas", replicas}, {"availableReplicas", replicas},
          {"conditions", {{{"type", "Available"}, {"status", "True"}, {"reason", "MinimumReplicasAvailable"},
                           {"message", "Deployment has minimum availability."}},
                          {{"type", "Progressing"}, {"status", "True"}, {"reason", "NewReplicaSetAvailable"},
                           {"message", "ReplicaSet has successfully progressed."}}}}};
}

json FailedStatus(int64_t generation, int replicas) {
  return {{"observedGeneration", generation}, {"replicas", replicas + 1}, {"updatedReplicas", 1},
          {"readyReplicas", replicas}, {"availableReplicas", replicas}, {"unavailableReplicas", 1},
          {"conditions", {{{"type", "Available"}, {"status", "True"}, {"reason", "MinimumReplicasAvailable"},
                           {"message", "Deployment has minimum availability."}},
                          {{"type", "Progressing"}, {"status", "False"}, {"reason", "ProgressDeadlineExceeded"},
                           {"message", "ReplicaSet has timed out progressing."}}}}};
}

}  // namespace

DeploymentSimulator::DeploymentSimulator(kube::Client& client, std::string ns, std::chrono::milliseconds delay)
    : client_(client), ns_(std::move(ns)), delay_(delay), thread_([this] { Loop(); }) {}

DeploymentSimulator::~DeploymentSimulator() {
  stop_ = true;
  thread_.join();
}

void DeploymentSimulator::Hold(const std::string& name) {
  std::lock_guard lock(mu_);
  held_.insert(name);
}
void DeploymentSimulator::Release(const std::string& name) {
  std::lock_guard lock(mu_);
  held_.erase(name);
}
void DeploymentSimulator::Fail(const std::string& name) {
  std::lock_guard lock(mu_);
  failed_.insert(name);
}
void DeploymentSimulator::Unfail(const std::string& name) {
  std::lock_guard lock(mu_);
  failed_.erase(name);
}

std::vector<Rollout> DeploymentSimulator::Rollouts() const {
  std::lock_guard lock(mu_);
  return rollouts_;
}

std::vector<Rollout> DeploymentSimulator::RolloutsOf(const std::string& name) const {
  std::vector<Rollout> out;
  for (auto& r : Rollouts()) {
    if (r.deployment == name) out.push_back(r);
  }
  return out;
}

bool DeploymentSimulator::RolledOutBefore(const std::string& name, const std::string& keys_hash,
                                          std::chrono::steady_clock::time_point when) const {
  for (const auto& r : RolloutsOf(name)) {
    if (r.keys_hash == keys_hash && r.completed <= when) return true;
  }
  return false;
}

std::string DeploymentSimulator::LastRolledHash(const std::string& name) const {
  auto rs = RolloutsOf(name);
  return rs.empty() ? "" : rs.back().keys_hash;
}

int DeploymentSimulator::PendingCount(const std::string& name) const {
  std::lock_guard lock(mu_);
  auto it = pending_.find(name);
  return it == pending_.end() ? 0 : it->second;
}

void DeploymentSimulator::Loop() {
  while (!stop_) {
    Step();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

void DeploymentSimulator::Step() {
  auto list = client_.List(kube::resources::kDeployments, ns_);
  if (!list) return;  // the namespace may be going away; try again
  auto now = std::chrono::steady_clock::now();
  for (const auto& d : list->items) {
    std::string name = kube::NameOf(d);
    int64_t gen = d.value("/metadata/generation"_json_pointer, int64_t{0});
    int64_t observed = d.value("/status/observedGeneration"_json_pointer, int64_t{0});
    int replicas = d.value("/spec/replicas"_json_pointer, 1);
    bool held, failed;
    std::string key = name + "@" + std::to_string(gen);
    {
      std::lock_guard lock(mu_);
      pending_[name] = gen > observed ? 1 : 0;
      if (gen <= observed) continue;
      held = held_.count(name) > 0;
      failed = failed_.count(name) > 0;
      first_seen_.try_emplace(key, now);
      if (held || now - first_seen_[key] < delay_) continue;
    }
    json status = failed ? FailedStatus(gen, replicas) : CompleteStatus(gen, replicas);
    auto r = client_.MergePatchStatus(kube::resources::kDeployments, ns_, name, {{"status", status}});
    if (!r || failed) continue;
    std::lock_guard lock(mu_);
    rollouts_.push_back({name, gen, TemplateHash(d), std::chrono::steady_clock::now()});
    pending_[name] = 0;
  }
}

}  // namespace keyroll::testing
