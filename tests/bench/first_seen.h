// first_seen: a background watch on one resource type in one namespace that records, per
// object name, the steady-clock time at which the object first matched a predicate (e.g. "a
// Secret was ADDED", "the SigningKeyRotation is Ready"). Event-driven, so the times are as
// exact as the watch stream; a broken or ended watch is restarted until destruction.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "operator/kube/client.h"
#include "tests/bench/bench_stats.h"

namespace keyroll::bench {

class FirstSeen {
 public:
  using Predicate = std::function<bool(const kube::WatchEvent&)>;
  // Opens its own client (its own connection) from `config`; throws std::runtime_error.
  FirstSeen(const kube::Config& config, kube::ResourceRef resource, std::string ns, Predicate matches);
  ~FirstSeen();
  FirstSeen(const FirstSeen&) = delete;
  FirstSeen& operator=(const FirstSeen&) = delete;

  std::optional<Clock::time_point> When(const std::string& name) const;
  size_t Count() const;                // names seen so far
  std::optional<Clock::time_point> Last() const;  // the latest first-match time

 private:
  void Run();

  std::unique_ptr<kube::Client> client_;
  kube::ResourceRef resource_;
  std::string ns_;
  Predicate matches_;
  mutable std::mutex mu_;
  std::map<std::string, Clock::time_point> seen_;
  std::atomic<bool> stopping_{false};
  std::unique_ptr<kube::StreamCanceller> canceller_;
  std::thread thread_;
};

}  // namespace keyroll::bench
