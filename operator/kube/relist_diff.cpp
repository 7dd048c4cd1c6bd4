#include "operator/kube/relist_diff.h"

namespace keyroll::kube {
namespace {
std::string Meta(const nlohmann::json& o, const char* key) {
  auto m = o.find("metadata");
  if (m == o.end() || !m->is_object()) return "";
  auto v = m->find(key);
  return v != m->end() && v->is_string() ? v->get<std::string>() : "";
}
}  // namespace

std::string ObjectKey(const nlohmann::json& object) {
  std::string ns = Meta(object, "namespace");
  std::string name = Meta(object, "name");
  return ns.empty() ? name : ns + "/" + name;
}

std::vector<KeyChange> ComputeRelistChanges(const std::map<std::string, ObjectVersion>& cached,
                                            const std::map<std::string, ObjectVersion>& listed) {
  std::vector<KeyChange> deleted, changed;
  for (const auto& [key, old] : cached) {
    auto it = listed.find(key);
    if (it == listed.end() || old.uid != it->second.uid) deleted.push_back({DeltaType::kDeleted, key});
  }
  for (const auto& [key, fresh] : listed) {
    auto it = cached.find(key);
    if (it == cached.end() || it->second.uid != fresh.uid) {
      changed.push_back({DeltaType::kAdded, key});
    } else if (it->second.resource_version != fresh.resource_version) {
      changed.push_back({DeltaType::kUpdated, key});
    }
  }
  deleted.insert(deleted.end(), changed.begin(), changed.end());
  return deleted;
}

std::vector<Delta> ComputeRelistDiff(const std::map<std::string, nlohmann::json>& cached,
                                     const std::map<std::string, nlohmann::json>& listed) {
  auto versions = [](const std::map<std::string, nlohmann::json>& objects) {
    std::map<std::string, ObjectVersion> out;
    for (const auto& [key, o] : objects) out[key] = {Meta(o, "uid"), Meta(o, "resourceVersion")};
    return out;
  };
  std::vector<Delta> out;
  for (const auto& c : ComputeRelistChanges(versions(cached), versions(listed))) {
    Delta d{c.type, c.key, nullptr, nullptr};
    if (c.type != DeltaType::kAdded) d.old_object = cached.at(c.key);
    if (c.type != DeltaType::kDeleted) d.new_object = listed.at(c.key);
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace keyroll::kube
