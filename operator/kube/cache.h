// cache: the informer's store — projections of the watched objects keyed by
// namespace/name, with thread-safe snapshots. Replace (after a list) and Apply (a watch
// event) return the deltas handlers must see; repeats and stale events yield none.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "operator/kube/relist_diff.h"
#include "operator/kube/watch_decoder.h"

namespace keyroll::kube {

// Keeps only what the caller reads. metadata.name/namespace/uid/resourceVersion are
// always kept (the store needs them), whatever the projection returns.
using Projection = std::function<nlohmann::json(const nlohmann::json& full)>;

// A projection keeping the listed top-level fields (plus the identity metadata).
Projection KeepFields(std::vector<std::string> top_level_fields);

class Store {
 public:
  explicit Store(Projection projection = nullptr) : projection_(std::move(projection)) {}

  std::optional<nlohmann::json> Get(const std::string& ns, const std::string& name) const;
  std::optional<nlohmann::json> GetByKey(const std::string& key) const;
  // Snapshot of every object, or those of one namespace.
  std::vector<nlohmann::json> List(const std::string& ns = "") const;
  size_t size() const;

  // The objects of a fresh (full) list: the deltas from the previous contents.
  std::vector<Delta> Replace(const std::vector<nlohmann::json>& full_objects);
  // The same for objects already passed through Project (a list projected page by page).
  std::vector<Delta> ReplaceProjected(std::vector<nlohmann::json> projected_objects);
  // One watch event (ADDED/MODIFIED/DELETED); none for a repeat of what is stored.
  std::optional<Delta> Apply(const WatchEvent& event);

  nlohmann::json Project(const nlohmann::json& full) const;

 private:
  Projection projection_;
  mutable std::mutex mu_;
  std::map<std::string, nlohmann::json> items_;
};

}  // namespace keyroll::kube
