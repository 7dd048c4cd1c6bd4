// cache: the informer's store — projections of the watched objects keyed by
// namespace/name, with thread-safe snapshots. Replace (after a list) and Apply (a watch
// event) return the deltas handlers must see; repeats and stale events yield none.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "operator/kube/object_codec.h"
#include "operator/kube/relist_diff.h"
#include "operator/kube/watch_decoder.h"

namespace keyroll::kube {

// Keeps only what the caller reads. metadata.name/namespace/uid/resourceVersion are
// always kept (the store needs them), whatever the projection returns.
using Projection = std::function<nlohmann::json(const nlohmann::json& full)>;

// A projection keeping the listed top-level fields (plus the identity metadata).
Projection KeepFields(std::vector<std::string> top_level_fields);

// A fresh list as it arrives page by page (Store::AddToListing): each object is projected
// and packed at once, so a list never holds its full objects, nor its projections as trees.
class Listing {
 public:
  // One cached object in one allocation: its uid and resourceVersion (compared on every
  // event and relist) ahead of the projection as the store's ObjectCodec encoded it. Three
  // strings would cost 64 bytes more per object, and the uid a heap block of its own.
  class Item {
   public:
    Item() = default;
    Item(std::string_view uid, std::string_view resource_version, std::string_view packed);
    std::string_view uid() const { return Field(0); }
    std::string_view resource_version() const { return Field(1); }
    std::string_view packed() const { return Field(2); }

   private:
    std::string_view Field(int index) const;
    std::string bytes_;  // per field: its length (4 bytes, little-endian), then the field
  };
  size_t size() const { return items_.size(); }

 private:
  friend class Store;
  std::map<std::string, Item> items_;
};

class Store {
 public:
  // unpack_old_on_update false: updates' deltas carry a null old_object.
  explicit Store(Projection projection = nullptr, bool unpack_old_on_update = true)
      : projection_(std::move(projection)), unpack_old_on_update_(unpack_old_on_update) {}

  std::optional<nlohmann::json> Get(const std::string& ns, const std::string& name) const;
  std::optional<nlohmann::json> GetByKey(const std::string& key) const;
  // The cached object's resourceVersion ("" when not cached), without unpacking it.
  std::string ResourceVersionByKey(const std::string& key) const;
  // Snapshot of every object, or those of one namespace.
  std::vector<nlohmann::json> List(const std::string& ns = "") const;
  size_t size() const;

  // The objects of a fresh (full) list: the deltas from the previous contents.
  std::vector<Delta> Replace(const std::vector<nlohmann::json>& full_objects);
  // The same for a list received page by page: AddToListing for every object, then
  // Replace; the deltas reach `on_deltas` a chunk at a time (unpacked only then).
  void AddToListing(Listing& listing, const nlohmann::json& full) const;
  void Replace(Listing listing, const std::function<void(const std::vector<Delta>&)>& on_deltas);
  // One watch event (ADDED/MODIFIED/DELETED); none for a repeat of what is stored.
  std::optional<Delta> Apply(const WatchEvent& event);

  nlohmann::json Project(const nlohmann::json& full) const;

 private:
  Listing::Item Pack(const nlohmann::json& projected) const;
  nlohmann::json Unpack(const Listing::Item& item) const { return codec_.Decode(item.packed()); }

  Projection projection_;
  bool unpack_old_on_update_;
  // Projections are kept packed (object_codec.h): a JSON tree costs a map node per field,
  // about fifty times the bytes, and 40,000 cached objects must fit in a few tens of MiB.
  // The codec has its own lock: lists are packed as they arrive, outside mu_.
  mutable ObjectCodec codec_;
  mutable std::mutex mu_;
  std::map<std::string, Listing::Item> items_;
};

}  // namespace keyroll::kube
