#include "tests/fakes/kube/request_stats.h"

namespace keyroll::fakes {

void RequestStats::Count(const std::string& verb, const std::string& resource) {
  std::lock_guard<std::mutex> lock(mu_);
  ++total_;
  ++by_verb_[verb];
  ++by_request_[verb + " " + resource];
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
  return {{"total", total_}, {"by_verb", by_verb}, {"by_request", by_request},
          {"open_watches", open_watches_.load()}};
}

void RequestStats::Reset() {
  std::lock_guard<std::mutex> lock(mu_);
  total_ = 0;
  by_verb_.clear();
  by_request_.clear();
}

}  // namespace keyroll::fakes
