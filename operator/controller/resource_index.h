// resource_index: what the controller must find without scanning every resource, kept up to
// date by the SigningKeyRotation informer's events (only resources with a valid spec that
// are not being deleted are indexed):
//  - consumers: which resources consume a workload (declared by name, selected by labels,
//    or discovering a reader of their target Secret), so a workload event queues those
//    resources only, not its whole namespace;
//  - accounts: which resources use which provider account (as last connected), ordered by
//    age, so the account-conflict check (DESIGN.md: the oldest resource of an account owns
//    it) looks at one account, not at the whole cluster. Resources not connected yet are
//    listed too: the check connects the older ones once to learn their account.
// Holds projections of projections: names, selectors and account ids, never a spec.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include <nlohmann/json.hpp>

#include "operator/rotation/observed.h"
#include "operator/rotation/spec.h"

namespace keyroll::controller {

class ResourceIndex {
 public:
  // A resource's age order: (creationTimestamp, namespace, name); no timestamp sorts last.
  using Age = std::tuple<int64_t, std::string, std::string>;
  static Age AgeOf(const rotation::ResourceMeta& meta);

  // From the informer's add/update (the projection) and delete events. Both return the
  // other resources of the account the resource left (deleted, or its spec changed), which
  // must check again who owns that account ("ns/name").
  std::vector<std::string> Upsert(const nlohmann::json& resource);
  std::vector<std::string> Remove(const nlohmann::json& resource);

  // "ns/name" of the indexed resources that consume the workload (a projection of it).
  std::vector<std::string> ConsumersOf(rotation::WorkloadKind kind, const nlohmann::json& workload) const;

  // Records the account a resource connected to ("" = none: its provider could not be built).
  // Ignored for resources not indexed. A spec change forgets it again.
  void SetAccount(const std::string& key, const std::string& account_id);
  // Claims up to `max` indexed resources older than `me` whose account is not known yet
  // ("ns/name"): the caller connects them and records the result with SetAccount (which
  // ends the claim); other callers skip them meanwhile.
  std::vector<std::string> ClaimUnconnectedOlderThan(const Age& me, size_t max);
  // Waits until no resource older than `me` is claimed by anyone (false on timeout): then
  // every older resource's account is known.
  bool WaitForClaimsOlderThan(const Age& me, std::chrono::milliseconds timeout) const;
  // The oldest indexed resource on `account_id` if it is older than `me` ("ns/name").
  std::optional<std::string> OldestOnAccount(const std::string& account_id, const Age& me) const;

  size_t size() const;

 private:
  struct Entry {
    Age age;  // fixed once indexed: the account sets are ordered by it
    size_t spec_hash = 0;
    bool connected = false;                // SetAccount was called since the last spec change
    const std::string* account = nullptr;  // its key in by_account_ (null: no account)
    rotation::Consumers consumers;
    std::string secret_name;
  };
  struct ByAge {
    bool operator()(const Entry* a, const Entry* b) const { return a->age < b->age; }
  };
  std::vector<std::string> EraseLocked(const std::string& key);
  // Takes `e` off its account's member list; returns the members left behind.
  std::vector<std::string> LeaveAccountLocked(Entry& e);

  mutable std::mutex mu_;
  // By "ns/name": a namespace's resources are one range of it (names hold no '/').
  std::map<std::string, Entry> entries_;
  // Account id -> its members (entries_ nodes, which never move), oldest first. The id is
  // kept here once; entries point at it.
  std::map<std::string, std::set<const Entry*, ByAge>> by_account_;
  std::set<Age> unconnected_;
  std::set<Age> claimed_;  // being connected by some caller
  mutable std::condition_variable claims_done_;
};

}  // namespace keyroll::controller
