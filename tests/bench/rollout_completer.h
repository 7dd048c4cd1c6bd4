// rollout_completer: the workload controllers for the benchmarks at scale. The e2e
// WorkloadSimulator polls one namespace every 50 ms; at 100 namespaces that would be the
// load measured. This one is one cluster-wide informer (list + watch) per kind — Deployment,
// StatefulSet, DaemonSet: whenever a workload's metadata.generation is ahead of
// status.observedGeneration it writes a complete rollout to /status after `delay`, from a few
// writer threads, in the shape that kind's controller writes (as the e2e simulator does:
// tests/support/e2e_workloads.cpp; a StatefulSet gets a new revision per generation, a
// DaemonSet runs on 2 nodes). It counts its own writes (so the benchmark can subtract them
// from the API server's counters), the largest number of rollouts in flight at once per
// (namespace, keyroll.dev/keys-hash) — one resource's restarts of one key set — to check
// maxConcurrentRestarts, and when the last rollout of each key set completed (the write's
// answer came back), for the rollout-completed -> Ready latency.
#pragma once

#include <array>
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

  bool HasSynced() const;
  int64_t writes() const { return writes_.load(); }
  int64_t rollouts() const { return rollouts_.load(); }
  int in_flight() const;
  // The most rollouts in flight at once for one key set (namespace + keys-hash) since the last reset.
  int max_in_flight_per_key_set() const;
  void ResetMaxInFlight();
  // "namespace/keys-hash" -> when the last rollout of a workload with that template hash completed.
  std::map<std::string, std::chrono::steady_clock::time_point> CompletedByKeySet() const;

 private:
  enum class Kind { Deployment, StatefulSet, DaemonSet };
  struct Pending {
    Kind kind;
    std::string ns, name, group;
    int64_t generation;
    int replicas;
    std::chrono::steady_clock::time_point due;
  };
  void Consider(Kind kind, const nlohmann::json& w);
  void Writer();

  std::unique_ptr<kube::Client> client_;
  std::chrono::milliseconds delay_;
  std::array<std::unique_ptr<kube::Informer>, 3> informers_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Pending> queue_;
  std::map<std::string, int64_t> queued_;            // kind/ns/name -> generation queued
  std::map<std::string, std::string> group_of_;      // kind/ns/name -> its group when first queued
  std::map<std::string, int> in_flight_by_group_;    // ns + keys-hash -> rollouts in flight
  std::map<std::string, std::chrono::steady_clock::time_point> completed_;  // ns/keys-hash -> last completion
  int max_in_flight_ = 0;
  std::atomic<int64_t> writes_{0}, rollouts_{0};
  bool stopping_ = false;
  std::vector<std::thread> writers_;
};

}  // namespace keyroll::bench
