// fresh_reader.cpp — see fresh_reader.h.
#include "operator/controller/fresh_reader.h"

#include "operator/log/logging.h"

namespace keyroll::controller {

namespace {

int64_t GenerationOf(const nlohmann::json& object) {
  const auto* g = object.contains("metadata") ? &object["metadata"] : nullptr;
  if (!g || !g->contains("generation") || !(*g)["generation"].is_number_integer()) return 0;
  return (*g)["generation"].get<int64_t>();
}

}  // namespace

FreshReader::FreshReader(kube::Client& client, kube::ResourceRef resource, const kube::Store& store,
                         kube::Projection projection, bool keep_answers)
    : client_(client),
      resource_(std::move(resource)),
      store_(store),
      projection_(std::move(projection)),
      keep_answers_(keep_answers) {}

FreshReader::Prior FreshReader::Before(const std::string& ns, const std::string& name) const {
  auto cached = store_.Get(ns, name);
  if (!cached) return {};
  return {kube::ResourceVersionOf(*cached), GenerationOf(*cached)};
}

void FreshReader::Wrote(const std::string& ns, const std::string& name, const nlohmann::json& answer,
                        const Prior& prior) {
  const auto now = std::chrono::steady_clock::now();
  // The generation tells "our write or later" only when our write moved it (a spec change;
  // a status write or a kind without one leaves it alone).
  const int64_t generation = GenerationOf(answer);
  Write w{kube::ResourceVersionOf(answer), prior.resource_version,
          !prior.resource_version.empty() && generation > prior.generation ? generation : 0,
          keep_answers_ ? nlohmann::json::to_msgpack(Project(answer)) : std::vector<uint8_t>{}, now};
  std::lock_guard lock(mu_);
  written_[ns + "/" + name] = std::move(w);
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
    const Write& w = it->second;
    std::string cached_rv = cached ? kube::ResourceVersionOf(*cached) : "";
    // Caught up: the cache shows our version, or (kinds with a generation) a spec at least as
    // new as ours, e.g. our patch and then the workload controller's status. A watch delivers
    // within moments, so after a few seconds the cache is trusted again whatever it shows.
    if (cached_rv == w.resource_version || (w.generation > 0 && cached && GenerationOf(*cached) >= w.generation) ||
        std::chrono::steady_clock::now() - w.at > kTrustCacheAfter) {
      written_.erase(it);
      return cached;
    }
    // Still what it held before we sent the write: it lags behind our write, and our answer is
    // the newest state we know of.
    if (keep_answers_ && cached_rv == w.cache_version_before) return nlohmann::json::from_msgpack(w.answer);
  }
  // The cache moved, but not to our version: a write by someone else, before or after ours
  // (resourceVersions are not ordered for clients). Ask the API server.
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
