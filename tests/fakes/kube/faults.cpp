#include "tests/fakes/kube/faults.h"

namespace keyroll::fakes {

namespace {
bool AgentMatches(const std::string& prefix, const std::string& user_agent) {
  return prefix.empty() || user_agent.rfind(prefix, 0) == 0;
}
}  // namespace

void Faults::SetLatency(std::chrono::milliseconds latency, const std::string& user_agent) {
  std::lock_guard<std::mutex> lock(mu_);
  latency_user_agent_ = user_agent;
  latency_ms_ = latency.count();
}

std::chrono::milliseconds Faults::LatencyFor(const std::string& user_agent) const {
  auto ms = latency_ms_.load();
  if (ms <= 0) return std::chrono::milliseconds(0);
  std::lock_guard<std::mutex> lock(mu_);
  return AgentMatches(latency_user_agent_, user_agent) ? std::chrono::milliseconds(ms) : std::chrono::milliseconds(0);
}

void Faults::ConflictNextWrites(int count, const std::string& user_agent) {
  std::lock_guard<std::mutex> lock(mu_);
  conflict_user_agent_ = user_agent;
  conflicts_ = count;
}

void Faults::FailNext(const FailRule& rule) {
  std::lock_guard<std::mutex> lock(mu_);
  if (rule.count > 0) fail_rules_.push_back(rule);
}

std::optional<ApiError> Faults::TakeFailure(const std::string& method, const std::string& path,
                                            const std::string& user_agent, const std::string& verb) {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = fail_rules_.begin(); it != fail_rules_.end(); ++it) {
    if (!it->method.empty() && it->method != method) continue;
    if (!AgentMatches(it->user_agent, user_agent)) continue;
    if (!it->verb.empty() && it->verb != verb) continue;
    if (path.rfind(it->path_prefix, 0) != 0) continue;
    FailRule rule = *it;
    if (--it->count <= 0) fail_rules_.erase(it);
    if (rule.code == 429) return TooManyRequests(rule.retry_after_seconds);
    if (rule.code == 410) return Expired("too old resource version (injected fault)");
    return InternalError("injected fault");
  }
  return std::nullopt;
}

bool Faults::TakeConflict(const std::string& user_agent) {
  if (conflicts_.load() <= 0) return false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!AgentMatches(conflict_user_agent_, user_agent)) return false;
  }
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
  latency_user_agent_.clear();
  conflict_user_agent_.clear();
}

nlohmann::json Faults::Describe() const {
  std::lock_guard<std::mutex> lock(mu_);
  nlohmann::json rules = nlohmann::json::array();
  for (const auto& r : fail_rules_) {
    rules.push_back({{"count", r.count}, {"code", r.code}, {"method", r.method},
                     {"path_prefix", r.path_prefix}, {"retry_after_seconds", r.retry_after_seconds},
                     {"user_agent", r.user_agent}, {"verb", r.verb}});
  }
  return {{"latency_ms", latency_ms_.load()},
          {"latency_user_agent", latency_user_agent_},
          {"conflict_next_writes", conflicts_.load()},
          {"conflict_user_agent", conflict_user_agent_},
          {"drop_watches_every_ms", drop_every_ms_.load()},
          {"fail_next", rules}};
}

}  // namespace keyroll::fakes
