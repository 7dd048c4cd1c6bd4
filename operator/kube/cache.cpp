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

namespace {

using Item = Listing::Item;

void AppendField(std::string& out, std::string_view field) {
  const auto n = static_cast<uint32_t>(field.size());
  for (int i = 0; i < 4; ++i) out += static_cast<char>((n >> (8 * i)) & 0xff);
  out += field;
}

std::string MetaString(const nlohmann::json& o, const char* key) {
  auto m = o.find("metadata");
  if (m == o.end() || !m->is_object()) return "";
  auto v = m->find(key);
  return v != m->end() && v->is_string() ? v->get<std::string>() : "";
}

constexpr size_t kDeltaChunk = 256;  // deltas unpacked at once while a relist is handed on

}  // namespace

Item::Item(std::string_view uid, std::string_view resource_version, std::string_view packed) {
  bytes_.reserve(12 + uid.size() + resource_version.size() + packed.size());
  AppendField(bytes_, uid);
  AppendField(bytes_, resource_version);
  AppendField(bytes_, packed);
}

std::string_view Item::Field(int index) const {
  std::string_view rest = bytes_;
  for (int i = 0;; ++i) {
    if (rest.size() < 4) return {};  // a default-constructed item
    uint32_t n = 0;
    for (int b = 0; b < 4; ++b) n |= static_cast<uint32_t>(static_cast<unsigned char>(rest[b])) << (8 * b);
    rest.remove_prefix(4);
    if (i == index) return rest.substr(0, n);
    rest.remove_prefix(std::min<size_t>(n, rest.size()));
  }
}

Item Store::Pack(const nlohmann::json& projected) const {
  return {MetaString(projected, "uid"), MetaString(projected, "resourceVersion"), codec_.Encode(projected)};
}

std::optional<nlohmann::json> Store::Get(const std::string& ns, const std::string& name) const {
  return GetByKey(ns.empty() ? name : ns + "/" + name);
}

std::optional<nlohmann::json> Store::GetByKey(const std::string& key) const {
  Item copy;
  {
    // Only the packed bytes are copied under the lock (a few hundred); decoding them there held
    // the watch thread and the other workers for the whole decode.
    std::lock_guard lock(mu_);
    auto it = items_.find(key);
    if (it == items_.end()) return std::nullopt;
    copy = it->second;
  }
  return Unpack(copy);
}

std::string Store::ResourceVersionByKey(const std::string& key) const {
  std::lock_guard lock(mu_);
  auto it = items_.find(key);
  return it == items_.end() ? "" : std::string(it->second.resource_version());
}

std::vector<nlohmann::json> Store::List(const std::string& ns) const {
  std::vector<Item> copies;  // decoded outside the lock, as in GetByKey
  {
    std::lock_guard lock(mu_);
    const std::string prefix = ns.empty() ? "" : ns + "/";
    for (auto it = items_.lower_bound(prefix); it != items_.end() && it->first.rfind(prefix, 0) == 0; ++it)
      copies.push_back(it->second);
  }
  std::vector<nlohmann::json> out;
  out.reserve(copies.size());
  for (const auto& item : copies) out.push_back(Unpack(item));
  return out;
}

size_t Store::size() const {
  std::lock_guard lock(mu_);
  return items_.size();
}

void Store::AddToListing(Listing& listing, const nlohmann::json& full) const {
  nlohmann::json p = Project(full);
  std::string key = ObjectKey(p);
  listing.items_[std::move(key)] = Pack(p);
}

std::vector<Delta> Store::Replace(const std::vector<nlohmann::json>& full_objects) {
  Listing listing;
  for (const auto& o : full_objects) AddToListing(listing, o);
  std::vector<Delta> all;
  Replace(std::move(listing), [&](const std::vector<Delta>& d) { all.insert(all.end(), d.begin(), d.end()); });
  return all;
}

void Store::Replace(Listing listing, const std::function<void(const std::vector<Delta>&)>& on_deltas) {
  // What changed, by uid and resourceVersion alone (relist_diff.h's rules and order).
  std::map<std::string, ObjectVersion> cached_versions, listed_versions;
  for (const auto& [k, v] : listing.items_)
    listed_versions[k] = {std::string(v.uid()), std::string(v.resource_version())};
  std::map<std::string, Item> previous;
  {
    std::lock_guard lock(mu_);
    for (const auto& [k, v] : items_) cached_versions[k] = {std::string(v.uid()), std::string(v.resource_version())};
    previous = std::move(items_);
    items_ = std::move(listing.items_);  // moved, not copied: a first list is the whole cache
  }
  std::vector<KeyChange> changes = ComputeRelistChanges(cached_versions, listed_versions);
  cached_versions.clear();
  listed_versions.clear();
  std::vector<Delta> chunk;
  for (const auto& c : changes) {
    Delta d{c.type, c.key, nullptr, nullptr};
    if (c.type == DeltaType::kDeleted || (c.type == DeltaType::kUpdated && unpack_old_on_update_))
      d.old_object = Unpack(previous.at(c.key));
    if (c.type != DeltaType::kDeleted) {
      Item item;  // decoded outside the lock, as in GetByKey
      {
        std::lock_guard lock(mu_);  // only this thread writes items_; readers may be in it
        item = items_.at(c.key);
      }
      d.new_object = Unpack(item);
    }
    chunk.push_back(std::move(d));
    if (chunk.size() == kDeltaChunk) {
      if (on_deltas) on_deltas(chunk);
      chunk.clear();
    }
  }
  if (!chunk.empty() && on_deltas) on_deltas(chunk);
}

std::optional<Delta> Store::Apply(const WatchEvent& event) {
  if (event.type == WatchEventType::kBookmark || event.type == WatchEventType::kError) return std::nullopt;
  nlohmann::json p = Project(event.object);
  std::string key = ObjectKey(p);
  Item packed = Pack(p);
  Item old;  // what the change replaced, unpacked after the lock is let go
  {
    std::lock_guard lock(mu_);
    auto it = items_.find(key);
    if (event.type == WatchEventType::kDeleted) {
      if (it == items_.end()) return std::nullopt;  // never seen, or already gone
      old = std::move(it->second);
      items_.erase(it);
    } else if (it == items_.end()) {
      items_[key] = std::move(packed);
      return Delta{DeltaType::kAdded, key, nullptr, std::move(p)};
    } else {
      if (it->second.resource_version() == packed.resource_version()) return std::nullopt;  // a repeat
      old = std::move(it->second);
      it->second = std::move(packed);
    }
  }
  if (event.type == WatchEventType::kDeleted) return Delta{DeltaType::kDeleted, key, Unpack(old), nullptr};
  return Delta{DeltaType::kUpdated, key, unpack_old_on_update_ ? Unpack(old) : nullptr, std::move(p)};
}

}  // namespace keyroll::kube
