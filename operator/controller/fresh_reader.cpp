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
  // The generation tells "our write or later" only when our write moved it (a spec change;
  // a status write or a kind without one leaves it alone).
  const int64_t generation = GenerationOf(answer);
  std::vector<uint8_t> packed;
  if (keep_answers_) {
    packed = nlohmann::json::to_msgpack(Project(answer));
    packed.shrink_to_fit();  // kept until the cache catches up: not the writer's doubled capacity
  }
  Record(ns + "/" + name,
         {kube::ResourceVersionOf(answer), prior.resource_version,
          !prior.resource_version.empty() && generation > prior.generation ? generation : 0,
          std::move(packed), {}});
}

void FreshReader::Stale(const std::string& ns, const std::string& name) { Record(ns + "/" + name, {}); }

void FreshReader::Record(const std::string& key, Write w) {
  const auto now = std::chrono::steady_clock::now();
  w.at = now;
  std::lock_guard lock(mu_);
  written_[key] = std::move(w);
  if (now - swept_ >= kSweepEvery) SweepLocked(now);
}

void FreshReader::Sweep() {
  std::lock_guard lock(mu_);
  SweepLocked(std::chrono::steady_clock::now());
}

size_t FreshReader::kept() const {
  std::lock_guard lock(mu_);
  return written_.size();
}

void FreshReader::SweepLocked(std::chrono::steady_clock::time_point now) {
  swept_ = now;
  // An entry whose object the cache now shows at its version is done, read again or not: at
  // 10,000 resources the Secret creates and status writes of a cold start, nearly all caught
  // up by the watch within a second, were 5.9 MB of entries kept for 10 minutes.
  std::erase_if(written_, [&](const auto& e) {
    return now - e.second.at > kForgetAfter ||
           (!e.second.resource_version.empty() &&
            store_.ResourceVersionByKey(e.first) == e.second.resource_version);
  });
}

nlohmann::json FreshReader::Project(const nlohmann::json& full) const {
  kube::Store scratch(projection_);  // Store::Project keeps the identity metadata too
  return scratch.Project(full);
}

bool FreshReader::CatchingUp(const std::string& ns, const std::string& name, std::chrono::milliseconds within) {
  // Every reconcile asks: the common answer (no write of ours recorded) costs one lookup, and
  // the cache's version is read without unpacking the object ("" when not cached).
  const std::string key = ns + "/" + name;
  std::lock_guard lock(mu_);
  auto it = written_.find(key);
  if (it == written_.end()) return false;
  const Write& w = it->second;
  return !w.resource_version.empty() && !w.cache_version_before.empty() &&
         store_.ResourceVersionByKey(key) == w.cache_version_before && std::chrono::steady_clock::now() - w.at < within;
}

std::optional<nlohmann::json> FreshReader::Get(const std::string& ns, const std::string& name) {
  const std::string key = ns + "/" + name;
  auto cached = store_.Get(ns, name);
  const std::string cached_rv = cached ? kube::ResourceVersionOf(*cached) : "";
  {
    std::lock_guard lock(mu_);
    auto it = written_.find(key);
    if (it == written_.end()) return cached;
    const Write& w = it->second;
    // Caught up: the cache shows our version, or (kinds with a generation) a spec at least as
    // new as ours, e.g. our patch and then the workload controller's status.
    if ((!cached_rv.empty() && cached_rv == w.resource_version) ||
        (w.generation > 0 && cached && GenerationOf(*cached) >= w.generation)) {
      written_.erase(it);
      return cached;
    }
    // Still what it held before we sent the write: it lags behind our write, and our answer is
    // the newest state we know of.
    if (!w.answer.empty() && cached_rv == w.cache_version_before) return nlohmann::json::from_msgpack(w.answer);
  }
  // The cache moved, but not to our version (a write by someone else, before or after ours:
  // resourceVersions are not ordered for clients), or a write of ours was refused. Ask the
  // API server.
  auto live = client_.Get(resource_, ns, name);
  if (live) {
    // The cache must now show what the server showed (someone may have written after us; the
    // cache will never show our version then, but it will show theirs).
    const std::string live_rv = kube::ResourceVersionOf(*live);
    if (live_rv == cached_rv) {
      std::lock_guard lock(mu_);
      written_.erase(key);
    } else {
      Record(key, {live_rv, "", 0, {}, {}});
    }
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
