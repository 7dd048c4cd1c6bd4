// fresh_reader.cpp — see fresh_reader.h.
#include "operator/controller/fresh_reader.h"

#include "operator/log/logging.h"

namespace keyroll::controller {

FreshReader::FreshReader(kube::Client& client, kube::ResourceRef resource, const kube::Store& store,
                         kube::Projection projection)
    : client_(client), resource_(std::move(resource)), store_(store), projection_(std::move(projection)) {}

void FreshReader::Wrote(const std::string& ns, const std::string& name, const std::string& resource_version) {
  Record(ns + "/" + name, resource_version);
}

void FreshReader::Stale(const std::string& ns, const std::string& name) { Record(ns + "/" + name, ""); }

void FreshReader::Record(const std::string& key, const std::string& resource_version) {
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(mu_);
  written_[key] = {resource_version, now};
  if (now - swept_ < kSweepEvery) return;
  swept_ = now;
  std::erase_if(written_, [&](const auto& e) { return now - e.second.at > kForgetAfter; });
}

nlohmann::json FreshReader::Project(const nlohmann::json& full) const {
  kube::Store scratch(projection_);  // Store::Project keeps the identity metadata too
  return scratch.Project(full);
}

std::optional<nlohmann::json> FreshReader::Get(const std::string& ns, const std::string& name) {
  const std::string key = ns + "/" + name;
  auto cached = store_.Get(ns, name);
  const std::string cached_rv = cached ? kube::ResourceVersionOf(*cached) : "";
  {
    std::lock_guard lock(mu_);
    auto it = written_.find(key);
    if (it == written_.end()) return cached;
    if (!cached_rv.empty() && cached_rv == it->second.resource_version) {  // caught up
      written_.erase(it);
      return cached;
    }
  }
  auto live = client_.Get(resource_, ns, name);
  if (live) {
    // The cache must now show what the server showed (someone may have written after us; the
    // cache will never show our version then, but it will show theirs).
    const std::string live_rv = kube::ResourceVersionOf(*live);
    std::lock_guard lock(mu_);
    if (live_rv == cached_rv) written_.erase(key);
    else written_[key] = {live_rv, std::chrono::steady_clock::now()};
    return Project(*live);
  }
  if (kube::IsNotFound(live.error())) {
    std::lock_guard lock(mu_);
    if (!cached) written_.erase(key);  // gone, and the cache says so too
    return std::nullopt;
  }
  // Acting on the cache is safe (a write would 409), but a refusal by RBAC is said, not hidden.
  if (kube::IsForbidden(live.error()))
    log::Warn("fresh read forbidden by RBAC; acting on the cache",
              {{"resource", resource_.plural}, {"namespace", ns}, {"name", name}, {"error", live.error().ToString()}});
  return cached;  // the API server is unreachable: act on the cache (a write would 409)
}

}  // namespace keyroll::controller
