// object_store: the fake's etcd. Objects per resource type, one monotonic resourceVersion
// across everything, and a bounded history of change events from which watches replay and
// from which a list at an older resourceVersion (paging, resourceVersionMatch=Exact) is
// rebuilt. All methods are thread-safe; writers wake waiting watchers.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_set>
#include <unordered_map>
#include <set>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/fakes/kube/resource_types.h"
#include "tests/fakes/kube/write_journal.h"

namespace keyroll::fakes {

using json = nlohmann::json;

// A stored object is immutable: a write stores a new one. The store, the history's events and
// the watchers sending them share one copy (at 10,000 resources the copies between them were a
// fifth of the fake's CPU).
using ObjectPtr = std::shared_ptr<const json>;

struct StoreEvent {
  int64_t rv = 0;
  std::string type;         // ADDED, MODIFIED, DELETED
  std::string storage_key;  // ResourceType::StorageKey()
  ObjectPtr object;         // after the change (DELETED: the last state, carrying the new rv)
  ObjectPtr previous;       // before the change (nullptr for ADDED)
  // object->dump(), made once when the event is recorded: the journal keeps it and every
  // watcher at the stored apiVersion sends it (each watcher dumped each event before).
  std::shared_ptr<const std::string> text;
};

// What a write stored: the object and its JSON text as recorded with the change (the event's
// `text`; nullptr when the write changed nothing), so an answer needs no copy nor second dump.
struct Written {
  ObjectPtr object;
  std::shared_ptr<const std::string> text;
};

// Objects ordered as etcd orders their keys: "namespace/name" (or "name" when cluster-scoped).
using ObjectMap = std::map<std::string, json>;

class ObjectStore {
 public:
  explicit ObjectStore(size_t history_limit = 10000, int64_t first_rv = 1000);

  int64_t CurrentRv() const;
  // The oldest resourceVersion whose state and later events are still known.
  int64_t OldestRv() const;

  std::optional<json> Get(const ResourceType& type, const std::string& ns,
                          const std::string& name) const;
  // The stored object itself (immutable), without a copy; nullptr when missing.
  ObjectPtr Find(const ResourceType& type, const std::string& ns, const std::string& name) const;
  // Objects of a type (ns "" = all namespaces) as they were at `rv` (0 = now).
  // nullopt when rv is older than OldestRv(). *at receives the rv the answer reflects.
  std::optional<ObjectMap> List(const ResourceType& type, const std::string& ns, int64_t rv,
                                int64_t* at) const;
  // The same objects visited in key order from `from` (a full "ns/name" key), without copying
  // the store (a list page of 500 out of 20,000 must not copy 20,000 objects): `visit` runs
  // under the store's lock and returns false to stop. false when rv is too old.
  bool Visit(const ResourceType& type, const std::string& ns, int64_t rv, const std::string& from, int64_t* at,
             const std::function<bool(const std::string& key, const json& object)>& visit) const;

  // Stores a new object (metadata complete except resourceVersion); AlreadyExists otherwise.
  Written Create(const ResourceType& type, json object);
  // Replaces an object with change(current); NotFound when missing. A change that alters
  // nothing is a no-op: no new resourceVersion, no event (as etcd-backed k8s behaves).
  Written Update(const ResourceType& type, const std::string& ns, const std::string& name,
              const std::function<json(const json& current)>& change);
  // Deletes an object after check(current) (which may throw); NotFound when missing.
  // Returns the deleted object carrying the deletion's resourceVersion.
  Written Delete(const ResourceType& type, const std::string& ns, const std::string& name,
              const std::function<void(const json& current)>& check = nullptr);

  // Events of one type after `rv` (storage_key "" = every type). False when rv < OldestRv().
  // *covered receives the resourceVersion up to which the answer is complete.
  bool EventsAfter(int64_t rv, const std::string& storage_key, std::vector<std::shared_ptr<const StoreEvent>>* out,
                   int64_t* covered) const;
  // Blocks until CurrentRv() > rv (with storage_key: until an object of that type changed
  // after rv), a Wake() call, or the timeout.
  void WaitForChange(int64_t rv, std::chrono::milliseconds timeout, const std::string& storage_key = "") const;
  // Blocks until GcEpoch() != seen, a Wake() call, or the timeout.
  void WaitForGcEpoch(uint64_t seen, std::chrono::milliseconds timeout) const;
  void Wake();

  void ClearHistory();
  void SetHistoryLimit(size_t limit);
  // Every stored object, as (storage key, object), for garbage collection and tests.
  std::vector<std::pair<std::string, json>> AllObjects() const;

  // Objects whose ownerReferences all point at uids that no longer exist (garbage to collect),
  // as (storage key, object). Looks only at objects written, or whose owner was deleted,
  // since the last call (each write keeps the owner graph), not at every object.
  std::vector<std::pair<std::string, json>> Orphans();
  // Moves whenever something is deleted or an object with ownerReferences is written.
  uint64_t GcEpoch() const;

  static std::string ObjectKey(const std::string& ns, const std::string& name);
  // Every change with its writer (CurrentWriter() of the thread that made it), in rv order.
  const WriteJournal& journal() const { return journal_; }

 private:
  void Record(StoreEvent event);
  // Record, then unlock and wake the waiters this change concerns.
  void RecordAndWake(std::unique_lock<std::mutex>& lock, StoreEvent event);

  mutable std::mutex mu_;
  mutable std::condition_variable changed_;     // any change
  mutable std::condition_variable gc_changed_;  // gc_epoch_ moved
  // By storage key; never erased, so a waiter's reference stays valid.
  mutable std::map<std::string, std::condition_variable> changed_by_type_;
  std::map<std::string, int64_t> last_rv_by_type_;
  std::map<std::string, std::map<std::string, ObjectPtr>> objects_;  // by storage key, then as ObjectMap
  std::deque<std::shared_ptr<const StoreEvent>> history_;
  size_t history_limit_;
  WriteJournal journal_;  // apart from history_: clearing or shrinking that leaves it whole
  int64_t rv_;
  int64_t oldest_rv_;
  uint64_t wakeups_ = 0;
  uint64_t gc_epoch_ = 0;
  // The owner graph, kept by Record: a scan of every object after each write was quadratic
  // (10,000 owned Secrets among 40,000 objects stalled the whole server).
  using ObjectId = std::pair<std::string, std::string>;  // (storage key, object key)
  std::unordered_set<std::string> live_uids_;
  std::unordered_map<std::string, std::set<ObjectId>> dependents_;  // owner uid -> dependents
  std::set<ObjectId> gc_candidates_;  // written, or lost an owner, since the last Orphans()
};

}  // namespace keyroll::fakes
