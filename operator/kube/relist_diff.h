// relist_diff: what changed between the cached objects and a fresh list, as the
// Added/Updated/Deleted deltas a handler must see (nothing missed, nothing twice).
// Pure; used after a 410 Gone forced a relist.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace keyroll::kube {

enum class DeltaType { kAdded, kUpdated, kDeleted };

struct Delta {
  DeltaType type;
  std::string key;           // namespace/name (or name)
  nlohmann::json old_object;  // null for kAdded
  nlohmann::json new_object;  // null for kDeleted
};

// "ns/name", or "name" for cluster-scoped objects.
std::string ObjectKey(const nlohmann::json& object);

struct ObjectVersion {
  std::string uid;
  std::string resource_version;
};

struct KeyChange {
  DeltaType type;
  std::string key;
};

// The rules below on versions alone (what a store of packed objects compares).
std::vector<KeyChange> ComputeRelistChanges(const std::map<std::string, ObjectVersion>& cached,
                                            const std::map<std::string, ObjectVersion>& listed);

// `cached` and `listed` are keyed by ObjectKey. Same uid and resourceVersion: unchanged.
// A different uid under one key (deleted and re-created meanwhile): Deleted then Added.
// Deleted first, then Added/Updated, each in key order.
std::vector<Delta> ComputeRelistDiff(const std::map<std::string, nlohmann::json>& cached,
                                     const std::map<std::string, nlohmann::json>& listed);

}  // namespace keyroll::kube
