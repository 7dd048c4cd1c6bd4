#include "tests/fakes/kube/request_stats.h"

namespace keyroll::fakes {

void RequestStats::Count(const std::string& verb, const std::string& resource, const std::string& user_agent) {
  std::string product = user_agent.substr(0, user_agent.find('/'));
  if (product.empty()) product = "unknown";
  std::lock_guard<std::mutex> lock(mu_);
  ++total_;
  ++by_verb_[verb];
  ++by_request_[verb + " " + resource];
  ++by_agent_verb_[product][verb];
  ++by_agent_request_[product][verb + " " + resource];
}

int64_t RequestStats::ByVerb(const std::string& verb) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = by_verb_.find(verb);
  return it == by_verb_.end() ? 0 : it->second;
}

int64_t RequestStats::ByRequest(const std::string& verb, const std::string& resource) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = by_request_.find(verb + " " + resource);
  return it == by_request_.end() ? 0 : it->second;
}

int64_t RequestStats::Writes() const {
  int64_t n = 0;
  for (const char* v : {"create", "update", "patch", "delete", "deletecollection"}) n += ByVerb(v);
  return n;
}

nlohmann::json RequestStats::Snapshot() const {
  std::lock_guard<std::mutex> lock(mu_);
  nlohmann::json by_verb = nlohmann::json::object();
  for (const auto& [k, v] : by_verb_) by_verb[k] = v;
  nlohmann::json by_request = nlohmann::json::object();
  for (const auto& [k, v] : by_request_) by_request[k] = v;
  nlohmann::json by_agent = nlohmann::json::object();
  for (const auto& [agent, verbs] : by_agent_verb_) {
    int64_t total = 0;
    nlohmann::json v = nlohmann::json::object();
    for (const auto& [verb, n] : verbs) {
      v[verb] = n;
      total += n;
    }
    nlohmann::json r = nlohmann::json::object();
    if (auto it = by_agent_request_.find(agent); it != by_agent_request_.end())
      for (const auto& [request, n] : it->second) r[request] = n;
    by_agent[agent] = {{"total", total}, {"by_verb", v}, {"by_request", r}};
  }
  return {{"total", total_}, {"by_verb", by_verb}, {"by_request", by_request},
          {"by_user_agent", by_agent}, {"open_watches", open_watches_.load()}};
}

void RequestStats::Reset() {
  std::lock_guard<std::mutex> lock(mu_);
  total_ = 0;
  by_verb_.clear();
  by_request_.clear();
  by_agent_verb_.clear();
  by_agent_request_.clear();
}

}  // namespace keyroll::fakes
