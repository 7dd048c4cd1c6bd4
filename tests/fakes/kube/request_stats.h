// request_stats: counts of API requests by verb (get, list, watch, create, update, patch,
// delete, deletecollection) and by "verb resource" (e.g. "patch deployments.apps/status"),
// and by client (the User-Agent's product, e.g. "keyroll" for "keyroll/0.1.0"), so tests
// can count writes and spot hot loops of one client among others. Thread-safe.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>

namespace keyroll::fakes {

class RequestStats {
 public:
  // resource: "secrets", "deployments.apps/status", ...
  void Count(const std::string& verb, const std::string& resource, const std::string& user_agent = "");
  int64_t ByVerb(const std::string& verb) const;
  int64_t ByRequest(const std::string& verb, const std::string& resource) const;
  int64_t Writes() const;  // create + update + patch + delete + deletecollection
  // {"total": N, "by_verb": {...}, "by_request": {"patch deployments.apps/status": N},
  //  "by_user_agent": {"keyroll": {"total": N, "by_verb": {...}, "by_request": {...}}}}
  nlohmann::json Snapshot() const;
  void Reset();

  // Watches being served right now (a leak shows up here: it never returns to 0).
  void WatchOpened() { ++open_watches_; }
  void WatchClosed() { --open_watches_; }
  int open_watches() const { return open_watches_; }

 private:
  std::atomic<int> open_watches_{0};
  mutable std::mutex mu_;
  int64_t total_ = 0;
  std::map<std::string, int64_t> by_verb_;
  std::map<std::string, int64_t> by_request_;
  std::map<std::string, std::map<std::string, int64_t>> by_agent_verb_;  // product -> verb -> N
  std::map<std::string, std::map<std::string, int64_t>> by_agent_request_;  // product -> "verb resource" -> N
};

}  // namespace keyroll::fakes
