#include "tests/bench/rollout_completer.h"

#include <stdexcept>

namespace keyroll::bench {

using nlohmann::json;

namespace {

json CompleteStatus(int64_t generation, int replicas) {
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
  kube::InformerOptions o;
  o.resource = kube::resources::kDeployments;
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
  auto consider = [this](const json& d) { Consider(d); };
  informer_ = std::make_unique<kube::Informer>(
      *client_, o, kube::InformerHandlers{consider, [consider](const json&, const json& d) { consider(d); }, nullptr});
  for (int i = 0; i < writers; ++i) writers_.emplace_back([this] { Writer(); });
  informer_->Start();
}

RolloutCompleter::~RolloutCompleter() {
  informer_->Stop();
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : writers_) t.join();
}

void RolloutCompleter::Consider(const json& d) {
  int64_t gen = d.value("/metadata/generation"_json_pointer, int64_t{0});
  int64_t observed = d.value("/status/observedGeneration"_json_pointer, int64_t{0});
  if (gen <= observed) return;
  std::string ns = d.value("/metadata/namespace"_json_pointer, std::string());
  std::string name = d.value("/metadata/name"_json_pointer, std::string());
  std::string group = ns + "/" + d.value("hash", std::string());
  std::lock_guard lock(mu_);
  auto& q = queued_[ns + "/" + name];
  if (q >= gen) return;
  if (q == 0) {
    group_of_[ns + "/" + name] = group;
    int n = ++in_flight_by_group_[group];
    if (n > max_in_flight_) max_in_flight_ = n;
  }
  q = gen;
  queue_.push_back({ns, name, group, gen, static_cast<int>(d.value("/spec/replicas"_json_pointer, 1)),
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
    auto r = client_->MergePatchStatus(kube::resources::kDeployments, p.ns, p.name,
                                       {{"status", CompleteStatus(p.generation, p.replicas)}});
    ++writes_;
    lock.lock();
    auto key = p.ns + "/" + p.name;
    auto it = queued_.find(key);
    if (it != queued_.end() && (!r || it->second == p.generation)) {  // done (failed: the next event re-queues)
      queued_.erase(it);
      --in_flight_by_group_[group_of_[key]];
      group_of_.erase(key);
      if (r) ++rollouts_;
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

}  // namespace keyroll::bench
