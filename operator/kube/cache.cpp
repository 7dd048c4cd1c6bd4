#include "operator/kube/cache.h"

namespace keyroll::kube {

Projection KeepFields(std::vector<std::string> fields) {
  return [fields = std::move(fields)](const nlohmann::json& full) {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& f : fields) {
      if (auto it = full.find(f); it != full.end()) out[f] = *it;
    }
    return out;
  };
}

nlohmann::json Store::Project(const nlohmann::json& full) const {
  if (!projection_) return full;
  nlohmann::json p = projection_(full);
  if (!p.is_object()) p = nlohmann::json::object();
  if (auto m = full.find("metadata"); m != full.end() && m->is_object()) {
    for (const char* k : {"name", "namespace", "uid", "resourceVersion"}) {
      if (auto v = m->find(k); v != m->end()) p["metadata"][k] = *v;
    }
  }
  return p;
}

std::optional<nlohmann::json> Store::Get(const std::string& ns, const std::string& name) const {
  return GetByKey(ns.empty() ? name : ns + "/" + name);
}

std::optional<nlohmann::json> Store::GetByKey(const std::string& key) const {
  std::lock_guard lock(mu_);
  auto it = items_.find(key);
  if (it == items_.end()) return std::nullopt;
  return it->second;
}

std::vector<nlohmann::json> Store::List(const std::string& ns) const {
  std::lock_guard lock(mu_);
  std::vector<nlohmann::json> out;
  if (ns.empty()) {
    for (const auto& [k, v] : items_) out.push_back(v);
    return out;
  }
  std::string prefix = ns + "/";
  for (auto it = items_.lower_bound(prefix); it != items_.end() && it->first.rfind(prefix, 0) == 0; ++it) {
    out.push_back(it->second);
  }
  return out;
}

size_t Store::size() const {
  std::lock_guard lock(mu_);
  return items_.size();
}

std::vector<Delta> Store::Replace(const std::vector<nlohmann::json>& full_objects) {
  std::vector<nlohmann::json> projected;
  projected.reserve(full_objects.size());
  for (const auto& o : full_objects) projected.push_back(Project(o));
  return ReplaceProjected(std::move(projected));
}

std::vector<Delta> Store::ReplaceProjected(std::vector<nlohmann::json> projected_objects) {
  std::map<std::string, nlohmann::json> listed;
  for (auto& o : projected_objects) {
    std::string key = ObjectKey(o);
    listed[std::move(key)] = std::move(o);
  }
  std::lock_guard lock(mu_);
  auto deltas = ComputeRelistDiff(items_, listed);
  items_ = std::move(listed);
  return deltas;
}

std::optional<Delta> Store::Apply(const WatchEvent& event) {
  if (event.type == WatchEventType::kBookmark || event.type == WatchEventType::kError) return std::nullopt;
  nlohmann::json p = Project(event.object);
  std::string key = ObjectKey(p);
  std::string rv = p["metadata"].value("resourceVersion", "");
  std::lock_guard lock(mu_);
  auto it = items_.find(key);
  if (event.type == WatchEventType::kDeleted) {
    if (it == items_.end()) return std::nullopt;  // never seen, or already gone
    Delta d{DeltaType::kDeleted, key, std::move(it->second), nullptr};
    items_.erase(it);
    return d;
  }
  if (it == items_.end()) {
    items_[key] = p;
    return Delta{DeltaType::kAdded, key, nullptr, std::move(p)};
  }
  if (it->second["metadata"].value("resourceVersion", "") == rv) return std::nullopt;  // a repeat
  Delta d{DeltaType::kUpdated, key, it->second, p};
  it->second = std::move(p);
  return d;
}

}  // namespace keyroll::kube
