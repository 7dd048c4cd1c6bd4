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

std::vector<Delta> ComputeRelistDiff(const std::map<std::string, nlohmann::json>& cached,
                                     const std::map<std::string, nlohmann::json>& listed) {
  std::vector<Delta> deleted, changed;
  for (const auto& [key, old] : cached) {
    auto it = listed.find(key);
    if (it == listed.end()) {
      deleted.push_back({DeltaType::kDeleted, key, old, nullptr});
    } else if (Meta(old, "uid") != Meta(it->second, "uid")) {
      deleted.push_back({DeltaType::kDeleted, key, old, nullptr});
    }
  }
  for (const auto& [key, fresh] : listed) {
    auto it = cached.find(key);
    if (it == cached.end() || Meta(it->second, "uid") != Meta(fresh, "uid")) {
      changed.push_back({DeltaType::kAdded, key, nullptr, fresh});
    } else if (Meta(it->second, "resourceVersion") != Meta(fresh, "resourceVersion")) {
      changed.push_back({DeltaType::kUpdated, key, it->second, fresh});
    }
  }
  deleted.insert(deleted.end(), std::make_move_iterator(changed.begin()),
                 std::make_move_iterator(changed.end()));
  return deleted;
}

}  // namespace keyroll::kube
