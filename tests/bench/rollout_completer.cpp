#include "tests/bench/rollout_completer.h"

#include <stdexcept>

namespace keyroll::bench {

using nlohmann::json;

namespace {

constexpr int kDaemonSetNodes = 2;  // as the e2e simulator

const kube::ResourceRef& ResourceOf(int kind) {
  static const kube::ResourceRef* refs[] = {&kube::resources::kDeployments, &kube::resources::kStatefulSets,
                                            &kube::resources::kDaemonSets};
  return *refs[kind];
}

// The status each kind's controller writes when a rollout is complete (e2e_workloads.cpp).
json CompleteStatus(int kind, const std::string& name, int64_t generation, int replicas) {
  if (kind == 1) {
    const std::string revision = name + "-r" + std::to_string(generation);
    return {{"observedGeneration", generation}, {"replicas", replicas}, {"readyReplicas", replicas},
            {"availableReplicas", replicas}, {"updatedReplicas", replicas}, {"currentReplicas", replicas},
            {"currentRevision", revision}, {"updateRevision", revision}, {"collisionCount", 0}};
  }
  if (kind == 2)
    return {{"observedGeneration", generation}, {"desiredNumberScheduled", kDaemonSetNodes},
            {"currentNumberScheduled", kDaemonSetNodes}, {"numberMisscheduled", 0},
            {"updatedNumberScheduled", kDaemonSetNodes}, {"numberAvailable", kDaemonSetNodes},
            {"numberReady", kDaemonSetNodes}};
  return {{"observedGeneration", generation}, {"replicas", replicas}, {"updatedReplicas", replicas},
          {"readyReplicas", replicas}, {"availableReplicas", replicas},
          {"conditions", {{{"type", "Available"}, {"status", "True"}, {"reason", "MinimumReplicasAvailable"}},
                          {{"type", "Progressing"}, {"status", "True"}, {"reason", "NewReplicaSetAvailable"}}}}};
}

}  // namespace

RolloutCompleter::RolloutCompleter(const kube::Config& config, std::chrono::milliseconds delay, int writers)
    : delay_(delay) {
  auto client = kube::Client::Create(config);
  if (!client) throw std::runtime_error("RolloutCompleter: " + client.error().ToString());
  client_ = std::move(*client);
  for (int k = 0; k < 3; ++k) {
    kube::InformerOptions o;
    o.resource = ResourceOf(k);
    o.namespace_name = "";
    o.projection = [](const json& full) {
      json p;
      p["metadata"] = full.value("metadata", json::object());
      p["metadata"].erase("annotations");
      p["metadata"].erase("labels");
      p["metadata"].erase("managedFields");
      p["hash"] = full.value("/spec/template/metadata/annotations/keyroll.dev~1keys-hash"_json_pointer, std::string());
      p["spec"] = {{"replicas", full.value("/spec/replicas"_json_pointer, 1)}};
      p["status"] = {{"observedGeneration", full.value("/status/observedGeneration"_json_pointer, int64_t{0})}};
      return p;
    };
    auto consider = [this, k](const json& w) { Consider(static_cast<Kind>(k), w); };
    informers_[k] = std::make_unique<kube::Informer>(
        *client_, o, kube::InformerHandlers{consider, [consider](const json&, const json& w) { consider(w); }, nullptr});
  }
  for (int i = 0; i < writers; ++i) writers_.emplace_back([this] { Writer(); });
  for (auto& i : informers_) i->Start();
}

RolloutCompleter::~RolloutCompleter() {
  for (auto& i : informers_) i->Stop();
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : writers_) t.join();
}

bool RolloutCompleter::HasSynced() const {
  for (const auto& i : informers_)
    if (!i->HasSynced()) return false;
  return true;
}

void RolloutCompleter::Consider(Kind kind, const json& w) {
  int64_t gen = w.value("/metadata/generation"_json_pointer, int64_t{0});
  int64_t observed = w.value("/status/observedGeneration"_json_pointer, int64_t{0});
  if (gen <= observed) return;
  std::string ns = w.value("/metadata/namespace"_json_pointer, std::string());
  std::string name = w.value("/metadata/name"_json_pointer, std::string());
  std::string group = ns + "/" + w.value("hash", std::string());
  const std::string key = std::to_string(static_cast<int>(kind)) + "/" + ns + "/" + name;
  std::lock_guard lock(mu_);
  auto& q = queued_[key];
  if (q >= gen) return;
  if (q == 0) {
    group_of_[key] = group;
    int n = ++in_flight_by_group_[group];
    if (n > max_in_flight_) max_in_flight_ = n;
  }
  q = gen;
  queue_.push_back({kind, ns, name, group, gen, static_cast<int>(w.value("/spec/replicas"_json_pointer, 1)),
                    std::chrono::steady_clock::now() + delay_});
  cv_.notify_one();
}

void RolloutCompleter::Writer() {
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (stopping_) return;
    Pending p = queue_.front();
    queue_.pop_front();
    if (cv_.wait_until(lock, p.due, [&] { return stopping_; })) return;
    lock.unlock();
    const int kind = static_cast<int>(p.kind);
    auto r = client_->MergePatchStatus(ResourceOf(kind), p.ns, p.name,
                                       {{"status", CompleteStatus(kind, p.name, p.generation, p.replicas)}});
    const auto done = std::chrono::steady_clock::now();
    ++writes_;
    lock.lock();
    auto key = std::to_string(kind) + "/" + p.ns + "/" + p.name;
    auto it = queued_.find(key);
    if (it != queued_.end() && (!r || it->second == p.generation)) {  // done (failed: the next event re-queues)
      queued_.erase(it);
      --in_flight_by_group_[group_of_[key]];
      group_of_.erase(key);
      if (r) {
        ++rollouts_;
        completed_[p.group] = done;
      }
    }
  }
}

int RolloutCompleter::in_flight() const {
  std::lock_guard lock(mu_);
  return static_cast<int>(queued_.size());
}

int RolloutCompleter::max_in_flight_per_key_set() const {
  std::lock_guard lock(mu_);
  return max_in_flight_;
}

void RolloutCompleter::ResetMaxInFlight() {
  std::lock_guard lock(mu_);
  max_in_flight_ = 0;
  for (auto& [group, n] : in_flight_by_group_) max_in_flight_ = std::max(max_in_flight_, n);
}

std::map<std::string, std::chrono::steady_clock::time_point> RolloutCompleter::CompletedByKeySet() const {
  std::lock_guard lock(mu_);
  return completed_;
}

}  // namespace keyroll::bench
