#include "tests/fakes/kube/object_store.h"

#include <algorithm>
#include <set>
#include <utility>

#include "tests/fakes/kube/api_error.h"
#include "tests/fakes/kube/json_compare.h"

namespace keyroll::fakes {
namespace {

ErrorSubject Subject(const ResourceType& type, const std::string& name) {
  return {type.plural, type.group, name};
}

std::string NameOf(const json& o) { return o["metadata"].value("name", ""); }
std::string NamespaceOf(const json& o) { return o["metadata"].value("namespace", ""); }
std::shared_ptr<const std::string> TextOf(const json& o) { return std::make_shared<const std::string>(o.dump()); }

// Compares two versions of an object ignoring metadata.resourceVersion, in place.
bool SameContent(const json& a, const json& b) {
  if (!MembersEqualExcept(a, b, [](const std::string& key) { return key == "metadata"; })) return false;
  if (!a.is_object()) return true;  // equal as a whole
  auto ma = a.find("metadata"), mb = b.find("metadata");
  if ((ma == a.end()) != (mb == b.end())) return false;
  return ma == a.end() || MembersEqualExcept(*ma, *mb, [](const std::string& key) { return key == "resourceVersion"; });
}

}  // namespace

ObjectStore::ObjectStore(size_t history_limit, int64_t first_rv)
    : history_limit_(history_limit), rv_(first_rv), oldest_rv_(first_rv) {}

std::string ObjectStore::ObjectKey(const std::string& ns, const std::string& name) {
  return ns.empty() ? name : ns + "/" + name;
}

int64_t ObjectStore::CurrentRv() const {
  std::lock_guard<std::mutex> lock(mu_);
  return rv_;
}

int64_t ObjectStore::OldestRv() const {
  std::lock_guard<std::mutex> lock(mu_);
  return oldest_rv_;
}

std::optional<json> ObjectStore::Get(const ResourceType& type, const std::string& ns,
                                     const std::string& name) const {
  ObjectPtr found = Find(type, ns, name);
  if (!found) return std::nullopt;
  return *found;
}

ObjectPtr ObjectStore::Find(const ResourceType& type, const std::string& ns, const std::string& name) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto t = objects_.find(type.StorageKey());
  if (t == objects_.end()) return nullptr;
  auto it = t->second.find(ObjectKey(ns, name));
  if (it == t->second.end()) return nullptr;
  return it->second;
}

std::optional<ObjectMap> ObjectStore::List(const ResourceType& type, const std::string& ns,
                                           int64_t rv, int64_t* at) const {
  ObjectMap out;
  if (!Visit(type, ns, rv, "", at, [&](const std::string& key, const json& object) {
        out.emplace_hint(out.end(), key, object);  // visited in key order
        return true;
      }))
    return std::nullopt;
  return out;
}

bool ObjectStore::Visit(const ResourceType& type, const std::string& ns, int64_t rv, const std::string& from,
                        int64_t* at, const std::function<bool(const std::string&, const json&)>& visit) const {
  std::lock_guard<std::mutex> lock(mu_);
  if (rv != 0 && rv < oldest_rv_) return false;
  static const std::map<std::string, ObjectPtr> kNone;
  auto t = objects_.find(type.StorageKey());
  const auto& present = t == objects_.end() ? kNone : t->second;
  // A past state (a continued list after writes) is the present with the keys written since
  // `rv` put back as they were: walking the history newest first, each key ends at the state
  // before its oldest newer write (nullptr: it did not exist). Copying the whole type instead
  // made every page of a 20,000-object list copy 20,000 objects while keyroll was writing.
  std::map<std::string, const json*> past;
  if (rv != 0 && rv < rv_) {
    for (auto it = history_.rbegin(); it != history_.rend() && (*it)->rv > rv; ++it) {
      const StoreEvent& e = **it;
      if (e.storage_key != type.StorageKey()) continue;
      const json& obj = e.type == "ADDED" ? *e.object : *e.previous;
      past[ObjectKey(NamespaceOf(obj), NameOf(obj))] = e.type == "ADDED" ? nullptr : e.previous.get();
    }
  }
  *at = rv == 0 ? rv_ : std::min(rv, rv_);
  const std::string prefix = ns.empty() ? "" : ns + "/";
  const std::string start = std::max(from, prefix);
  auto in_scope = [&](const std::string& key) { return key.rfind(prefix, 0) == 0; };
  auto p = present.lower_bound(start);
  auto o = past.lower_bound(start);
  // Merge the two in key order; where both have a key, the past wins.
  while (true) {
    const bool p_ok = p != present.end() && in_scope(p->first);
    const bool o_ok = o != past.end() && in_scope(o->first);
    if (!p_ok && !o_ok) return true;
    if (o_ok && (!p_ok || o->first <= p->first)) {
      if (p_ok && p->first == o->first) ++p;
      const auto& [key, object] = *o++;
      if (object != nullptr && !visit(key, *object)) return true;
    } else {
      if (!visit(p->first, *p->second)) return true;
      ++p;
    }
  }
}

Written ObjectStore::Create(const ResourceType& type, json object) {
  std::unique_lock<std::mutex> lock(mu_);
  std::string key = ObjectKey(NamespaceOf(object), NameOf(object));
  auto& objects = objects_[type.StorageKey()];
  if (objects.count(key)) throw AlreadyExists(Subject(type, NameOf(object)));
  object["metadata"]["resourceVersion"] = std::to_string(++rv_);
  auto stored = std::make_shared<const json>(std::move(object));
  objects[key] = stored;
  Written written{stored, TextOf(*stored)};
  RecordAndWake(lock, {rv_, "ADDED", type.StorageKey(), stored, nullptr, written.text});
  return written;
}

Written ObjectStore::Update(const ResourceType& type, const std::string& ns, const std::string& name,
                         const std::function<json(const json& current)>& change) {
  std::unique_lock<std::mutex> lock(mu_);
  auto& objects = objects_[type.StorageKey()];
  auto it = objects.find(ObjectKey(ns, name));
  if (it == objects.end()) throw NotFound(Subject(type, name));
  json updated = change(*it->second);
  if (SameContent(updated, *it->second)) return {it->second, nullptr};
  // Under the store's lock, which every request takes: the new object is shared by the store
  // and the event, the old one moves to the event's `previous`; neither is copied.
  updated["metadata"]["resourceVersion"] = std::to_string(++rv_);
  auto stored = std::make_shared<const json>(std::move(updated));
  ObjectPtr previous = std::exchange(it->second, stored);
  Written written{stored, TextOf(*stored)};
  RecordAndWake(lock, {rv_, "MODIFIED", type.StorageKey(), stored, std::move(previous), written.text});
  return written;
}

Written ObjectStore::Delete(const ResourceType& type, const std::string& ns, const std::string& name,
                         const std::function<void(const json& current)>& check) {
  std::unique_lock<std::mutex> lock(mu_);
  auto& objects = objects_[type.StorageKey()];
  auto it = objects.find(ObjectKey(ns, name));
  if (it == objects.end()) throw NotFound(Subject(type, name));
  if (check) check(*it->second);
  ObjectPtr previous = std::move(it->second);
  json deleted = *previous;
  deleted["metadata"]["resourceVersion"] = std::to_string(++rv_);
  objects.erase(it);
  auto last = std::make_shared<const json>(std::move(deleted));
  Written written{last, TextOf(*last)};
  RecordAndWake(lock, {rv_, "DELETED", type.StorageKey(), last, std::move(previous), written.text});
  return written;
}

namespace {

std::vector<std::string> OwnerUids(const json& object) {
  std::vector<std::string> out;
  if (!object.is_object() || !object.contains("metadata")) return out;
  const json& meta = object["metadata"];
  if (!meta.is_object() || !meta.contains("ownerReferences") || !meta["ownerReferences"].is_array()) return out;
  for (const auto& ref : meta["ownerReferences"])
    if (ref.is_object() && ref.contains("uid") && ref["uid"].is_string()) out.push_back(ref["uid"].get<std::string>());
  return out;
}

std::string UidOf(const json& object) { return object["metadata"].value("uid", ""); }

}  // namespace

void ObjectStore::Record(StoreEvent event) {
  const json& object = *event.object;
  if (event.type == "DELETED" || object["metadata"].contains("ownerReferences")) ++gc_epoch_;
  const ObjectId id{event.storage_key, ObjectKey(NamespaceOf(object), NameOf(object))};
  for (const auto& owner : event.previous ? OwnerUids(*event.previous) : std::vector<std::string>{}) {
    auto it = dependents_.find(owner);
    if (it == dependents_.end()) continue;
    it->second.erase(id);
    if (it->second.empty()) dependents_.erase(it);
  }
  if (event.type == "DELETED") {
    const std::string uid = UidOf(object);
    live_uids_.erase(uid);
    if (auto it = dependents_.find(uid); it != dependents_.end()) gc_candidates_.insert(it->second.begin(), it->second.end());
    gc_candidates_.erase(id);
  } else {
    live_uids_.insert(UidOf(object));
    auto owners = OwnerUids(object);
    for (const auto& owner : owners) dependents_[owner].insert(id);
    if (!owners.empty()) gc_candidates_.insert(id);
  }
  journal_.Add(event, CurrentWriter());  // under mu_: in the order of the rvs
  // Shared with the watchers that send it: an event is never copied per watch.
  history_.push_back(std::make_shared<const StoreEvent>(std::move(event)));
  while (history_.size() > history_limit_) {
    oldest_rv_ = history_.front()->rv;
    history_.pop_front();
  }
  if (history_limit_ == 0) oldest_rv_ = rv_;
}

bool ObjectStore::EventsAfter(int64_t rv, const std::string& storage_key,
                              std::vector<std::shared_ptr<const StoreEvent>>* out, int64_t* covered) const {
  std::lock_guard<std::mutex> lock(mu_);
  if (rv < oldest_rv_) return false;
  *covered = rv_;
  // History is ordered by rv; skip to the first newer event.
  auto it = std::upper_bound(history_.begin(), history_.end(), rv,
                             [](int64_t v, const std::shared_ptr<const StoreEvent>& e) { return v < e->rv; });
  for (; it != history_.end(); ++it) {
    if (storage_key.empty() || (*it)->storage_key == storage_key) out->push_back(*it);
  }
  return true;
}

void ObjectStore::RecordAndWake(std::unique_lock<std::mutex>& lock, StoreEvent event) {
  const uint64_t gc_before = gc_epoch_;
  std::condition_variable& type_changed = changed_by_type_[event.storage_key];
  last_rv_by_type_[event.storage_key] = event.rv;
  Record(std::move(event));
  const bool gc_moved = gc_epoch_ != gc_before;
  lock.unlock();
  // Only the watchers of this type wake: one condition for all made every watch thread wake,
  // lock the store and find nothing on every write (a tenth of the fake's CPU at scale).
  type_changed.notify_all();
  changed_.notify_all();
  if (gc_moved) gc_changed_.notify_all();
}

void ObjectStore::WaitForChange(int64_t rv, std::chrono::milliseconds timeout, const std::string& storage_key) const {
  std::unique_lock<std::mutex> lock(mu_);
  uint64_t wakeups = wakeups_;
  if (storage_key.empty()) {
    changed_.wait_for(lock, timeout, [&] { return rv_ > rv || wakeups_ != wakeups; });
    return;
  }
  auto last_rv = [&] {
    auto it = last_rv_by_type_.find(storage_key);
    return it == last_rv_by_type_.end() ? int64_t{0} : it->second;
  };
  changed_by_type_[storage_key].wait_for(lock, timeout, [&] { return last_rv() > rv || wakeups_ != wakeups; });
}

void ObjectStore::WaitForGcEpoch(uint64_t seen, std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(mu_);
  uint64_t wakeups = wakeups_;
  gc_changed_.wait_for(lock, timeout, [&] { return gc_epoch_ != seen || wakeups_ != wakeups; });
}

void ObjectStore::Wake() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++wakeups_;
  }
  changed_.notify_all();
  gc_changed_.notify_all();
  std::lock_guard<std::mutex> lock(mu_);  // the map of conditions may grow meanwhile
  for (auto& [type, changed] : changed_by_type_) changed.notify_all();
}

void ObjectStore::ClearHistory() {
  std::lock_guard<std::mutex> lock(mu_);
  history_.clear();
  oldest_rv_ = rv_;
}

void ObjectStore::SetHistoryLimit(size_t limit) {
  std::lock_guard<std::mutex> lock(mu_);
  history_limit_ = limit;
  while (history_.size() > history_limit_) {
    oldest_rv_ = history_.front()->rv;
    history_.pop_front();
  }
}

std::vector<std::pair<std::string, json>> ObjectStore::AllObjects() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::pair<std::string, json>> out;
  for (const auto& [key, objects] : objects_) {
    for (const auto& [k, o] : objects) out.emplace_back(key, *o);
  }
  return out;
}

uint64_t ObjectStore::GcEpoch() const {
  std::lock_guard<std::mutex> lock(mu_);
  return gc_epoch_;
}

std::vector<std::pair<std::string, json>> ObjectStore::Orphans() {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::pair<std::string, json>> out;
  for (const auto& [storage_key, key] : gc_candidates_) {
    auto t = objects_.find(storage_key);
    if (t == objects_.end()) continue;
    auto it = t->second.find(key);
    if (it == t->second.end()) continue;
    auto owners = OwnerUids(*it->second);
    bool any_owner = false;
    for (const auto& uid : owners) any_owner = any_owner || live_uids_.count(uid) > 0;
    if (!owners.empty() && !any_owner) out.emplace_back(storage_key, *it->second);
  }
  gc_candidates_.clear();
  return out;
}

}  // namespace keyroll::fakes
