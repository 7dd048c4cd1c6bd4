#include "tests/fakes/kube/faults.h"

namespace keyroll::fakes {

void Faults::FailNext(const FailRule& rule) {
  std::lock_guard<std::mutex> lock(mu_);
  if (rule.count > 0) fail_rules_.push_back(rule);
}

std::optional<ApiError> Faults::TakeFailure(const std::string& method, const std::string& path) {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = fail_rules_.begin(); it != fail_rules_.end(); ++it) {
    if (!it->method.empty() && it->method != method) continue;
    if (path.rfind(it->path_prefix, 0) != 0) continue;
    FailRule rule = *it;
    if (--it->count <= 0) fail_rules_.erase(it);
    if (rule.code == 429) return TooManyRequests(rule.retry_after_seconds);
    return InternalError("injected fault");
  }
  return std::nullopt;
}

bool Faults::TakeConflict() {
  int n = conflicts_.load();
  while (n > 0) {
    if (conflicts_.compare_exchange_weak(n, n - 1)) return true;
  }
  return false;
}

void Faults::Reset() {
  latency_ms_ = 0;
  conflicts_ = 0;
  drop_every_ms_ = 0;
  std::lock_guard<std::mutex> lock(mu_);
  fail_rules_.clear();
}

nlohmann::json Faults::Describe() const {
  std::lock_guard<std::mutex> lock(mu_);
  nlohmann::json rules = nlohmann::json::array();
  for (const auto& r : fail_rules_) {
    rules.push_back({{"count", r.count}, {"code", r.code}, {"method", r.method},
                     {"path_prefix", r.path_prefix}, {"retry_after_seconds", r.retry_after_seconds}});
  }
  return {{"latency_ms", latency_ms_.load()},
          {"conflict_next_writes", conflicts_.load()},
          {"drop_watches_every_ms", drop_every_ms_.load()},
          {"fail_next", rules}};
}

}  // namespace keyroll::fakes
