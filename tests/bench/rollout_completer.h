// rollout_completer: a deployment controller for the benchmarks at scale. The e2e
// WorkloadSimulator polls one namespace every 50 ms; at 100 namespaces that would be the
// load measured. This one is a single cluster-wide informer (list + watch): whenever a
// Deployment's metadata.generation is ahead of status.observedGeneration it writes a complete
// rollout to /status after `delay`, from a few writer threads. It counts its own writes (so
// the benchmark can subtract them from the API server's counters) and the largest number of
// rollouts in flight at once per (namespace, keyroll.dev/keys-hash) — one resource's restarts
// of one key set — to check maxConcurrentRestarts.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "operator/kube/client.h"
#include "operator/kube/informer.h"

namespace keyroll::bench {

class RolloutCompleter {
 public:
  RolloutCompleter(const kube::Config& config, std::chrono::milliseconds delay, int writers = 2);
  ~RolloutCompleter();

  bool HasSynced() const { return informer_->HasSynced(); }
  int64_t writes() const { return writes_.load(); }
  int64_t rollouts() const { return rollouts_.load(); }
  int in_flight() const;
  // The most rollouts in flight at once for one key set (namespace + keys-hash) since the last reset.
  int max_in_flight_per_key_set() const;
  void ResetMaxInFlight();

 private:
  struct Pending {
    std::string ns, name, group;
    int64_t generation;
    int replicas;
    std::chrono::steady_clock::time_point due;
  };
  void Consider(const nlohmann::json& d);
  void Writer();

  std::unique_ptr<kube::Client> client_;
  std::chrono::milliseconds delay_;
  std::unique_ptr<kube::Informer> informer_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Pending> queue_;
  std::map<std::string, int64_t> queued_;            // ns/name -> generation queued
  std::map<std::string, std::string> group_of_;      // ns/name -> its group when first queued
  std::map<std::string, int> in_flight_by_group_;    // ns + keys-hash -> rollouts in flight
  int max_in_flight_ = 0;
  std::atomic<int64_t> writes_{0}, rollouts_{0};
  bool stopping_ = false;
  std::vector<std::thread> writers_;
};

}  // namespace keyroll::bench
