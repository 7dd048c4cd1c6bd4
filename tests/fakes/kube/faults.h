// faults: failures a test switches on while the fake runs: latency on every request, the next
// N requests (optionally matching a method and path prefix) answered 500 or 429, the next N
// writes answered 409 Conflict, and watch faults (drop all now, drop every N ms, expire with a
// 410 ERROR event). Latency, failures and conflicts can be limited to clients whose
// User-Agent starts with a prefix (e.g. "keyroll/"), so a test's own client stays unharmed.
// Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/fakes/kube/api_error.h"

namespace keyroll::fakes {

struct FailRule {
  int count = 1;
  int code = 500;               // 500 InternalError, 429 TooManyRequests or 410 Expired
  std::string method;           // "" = any
  std::string path_prefix;      // "" = any
  int retry_after_seconds = 1;  // for 429
  std::string user_agent{};     // User-Agent prefix; "" = any client
  std::string verb{};           // get, list, watch, create, update, patch, delete; "" = any
};

class Faults {
 public:
  void SetLatency(std::chrono::milliseconds latency, const std::string& user_agent = "");
  std::chrono::milliseconds latency() const { return std::chrono::milliseconds(latency_ms_.load()); }
  // The latency for a request from this User-Agent.
  std::chrono::milliseconds LatencyFor(const std::string& user_agent) const;

  void FailNext(const FailRule& rule);
  // The injected error for this request, if a rule matches (and consumes one of its count).
  std::optional<ApiError> TakeFailure(const std::string& method, const std::string& path,
                                      const std::string& user_agent = "", const std::string& verb = "");

  void ConflictNextWrites(int count, const std::string& user_agent = "");
  bool TakeConflict(const std::string& user_agent = "");

  void DropWatchesNow() { ++drop_generation_; }
  uint64_t drop_generation() const { return drop_generation_; }
  void DropWatchesEvery(std::chrono::milliseconds interval) { drop_every_ms_ = interval.count(); }
  std::chrono::milliseconds drop_interval() const { return std::chrono::milliseconds(drop_every_ms_.load()); }
  void ExpireWatchesNow() { ++expire_generation_; }
  uint64_t expire_generation() const { return expire_generation_; }

  void Reset();
  nlohmann::json Describe() const;

 private:
  std::atomic<long long> latency_ms_{0};
  std::atomic<int> conflicts_{0};
  std::atomic<uint64_t> drop_generation_{0};
  std::atomic<long long> drop_every_ms_{0};
  std::atomic<uint64_t> expire_generation_{0};
  mutable std::mutex mu_;
  std::vector<FailRule> fail_rules_;
  std::string latency_user_agent_, conflict_user_agent_;
};

}  // namespace keyroll::fakes
