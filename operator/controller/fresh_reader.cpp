// fresh_reader.cpp — see fresh_reader.h.
#include "operator/controller/fresh_reader.h"

#include "operator/log/logging.h"

namespace keyroll::controller {

FreshReader::FreshReader(kube::Client& client, kube::ResourceRef resource, const kube::Store& store,
                         kube::Projection projection)
    : client_(client), resource_(std::move(resource)), store_(store), projection_(std::move(projection)) {}

void FreshReader::Wrote(const std::string& ns, const std::string& name, const std::string& resource_version) {
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(mu_);
  written_[ns + "/" + name] = {resource_version, now};
  // Entries are dropped when read after they expired; those never read again are swept
  // now and then, or every write ever made would stay here.
  if (now - swept_ > kTrustCacheAfter) {
    std::erase_if(written_, [&](const auto& e) { return now - e.second.at > kTrustCacheAfter; });
    swept_ = now;
  }
}

nlohmann::json FreshReader::Project(const nlohmann::json& full) const {
  kube::Store scratch(projection_);  // Store::Project keeps the identity metadata too
  return scratch.Project(full);
}

std::optional<nlohmann::json> FreshReader::Get(const std::string& ns, const std::string& name) {
  const std::string key = ns + "/" + name;
  auto cached = store_.Get(ns, name);
  {
    std::lock_guard lock(mu_);
    auto it = written_.find(key);
    if (it == written_.end()) return cached;
    std::string cached_rv = cached ? kube::ResourceVersionOf(*cached) : "";
    // Caught up, or someone wrote after us and the cache will never show our version:
    // a watch delivers within moments, so after a few seconds trust the cache again.
    if (cached_rv == it->second.resource_version ||
        std::chrono::steady_clock::now() - it->second.at > kTrustCacheAfter) {
      written_.erase(it);
      return cached;
    }
  }
  auto live = client_.Get(resource_, ns, name);
  if (live) return Project(*live);
  if (kube::IsNotFound(live.error())) return std::nullopt;
  // Acting on the cache is safe (a write would 409), but a refusal by RBAC is said, not hidden.
  if (kube::IsForbidden(live.error()))
    log::Warn("fresh read forbidden by RBAC; acting on the cache",
              {{"resource", resource_.plural}, {"namespace", ns}, {"name", name}, {"error", live.error().ToString()}});
  return cached;  // the API server is unreachable: act on the cache (a write would 409)
}

}  // namespace keyroll::controller
