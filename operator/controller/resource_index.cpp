// resource_index.cpp — see resource_index.h.
#include "operator/controller/resource_index.h"

#include <algorithm>
#include <functional>

#include "operator/controller/projections.h"
#include "operator/kube/client.h"
#include "operator/kube/relist_diff.h"
#include "operator/rotation/discovery.h"
#include "operator/rotation/parse_spec.h"
#include "operator/rotation/selector.h"

namespace keyroll::controller {

using nlohmann::json;

namespace {

std::string KeyOf(const ResourceIndex::Age& a) { return std::get<1>(a) + "/" + std::get<2>(a); }

size_t SpecHash(const json& resource) {
  auto it = resource.find("spec");
  return it == resource.end() ? 0 : std::hash<std::string>{}(it->dump());
}

}  // namespace

ResourceIndex::Age ResourceIndex::AgeOf(const rotation::ResourceMeta& m) {
  return Age{m.creation_timestamp ? m.creation_timestamp->time_since_epoch().count() : INT64_MAX, m.namespace_,
             m.name};
}

std::vector<std::string> ResourceIndex::Upsert(const json& resource) {
  rotation::ObservedResource r = rotation::ParseResource(resource);
  const std::string key = r.meta.namespace_ + "/" + r.meta.name;
  std::lock_guard lock(mu_);
  if (!r.spec.ok() || r.meta.deleting) return EraseLocked(key);
  std::vector<std::string> left_behind;
  const size_t hash = SpecHash(resource);
  auto [it, added] = entries_.try_emplace(key);
  Entry& e = it->second;
  if (added) {
    e.age = AgeOf(r.meta);
    unconnected_.insert(e.age);
  } else if (e.spec_hash != hash && e.connected) {
    left_behind = LeaveAccountLocked(e);  // the provider or its token may have changed
    e.connected = false;
    unconnected_.insert(e.age);
  }
  e.spec_hash = hash;
  e.consumers = r.spec.value().consumers;
  e.secret_name = r.spec.value().target.secret_name;
  return left_behind;
}

std::vector<std::string> ResourceIndex::Remove(const json& resource) {
  std::lock_guard lock(mu_);
  return EraseLocked(kube::ObjectKey(resource));
}

std::vector<std::string> ResourceIndex::EraseLocked(const std::string& key) {
  auto it = entries_.find(key);
  if (it == entries_.end()) return {};
  auto left_behind = LeaveAccountLocked(it->second);
  unconnected_.erase(it->second.age);
  if (claimed_.erase(it->second.age) > 0) claims_done_.notify_all();
  entries_.erase(it);
  return left_behind;
}

std::vector<std::string> ResourceIndex::LeaveAccountLocked(Entry& e) {
  std::vector<std::string> left_behind;
  if (!e.account) return left_behind;
  auto a = by_account_.find(*e.account);
  e.account = nullptr;
  if (a == by_account_.end()) return left_behind;
  a->second.erase(&e);
  for (const Entry* member : a->second) left_behind.push_back(KeyOf(member->age));
  if (a->second.empty()) by_account_.erase(a);
  return left_behind;
}

std::vector<std::string> ResourceIndex::ConsumersOf(rotation::WorkloadKind kind, const json& workload) const {
  const std::string ns = kube::NamespaceOf(workload), name = kube::NameOf(workload);
  std::optional<rotation::StringMap> labels;                 // computed when a selector needs them
  std::optional<std::vector<std::string>> secrets_read;      // likewise for discovery
  std::vector<std::string> out;
  const std::string prefix = ns + "/";
  std::lock_guard lock(mu_);
  for (auto it = entries_.lower_bound(prefix); it != entries_.end() && it->first.compare(0, prefix.size(), prefix) == 0;
       ++it) {
    const std::string& key = it->first;
    const Entry& e = it->second;
    bool consumes = false;
    for (const auto& ref : e.consumers.workloads) {
      if (ref.kind != kind) continue;
      if (!ref.name.empty() && ref.name == name) consumes = true;
      if (ref.name.empty() && ref.selector) {
        if (!labels) labels = LabelsOf(workload);
        consumes = consumes || rotation::Matches(*ref.selector, *labels);
      }
      if (consumes) break;
    }
    if (!consumes && e.consumers.discover) {
      if (!secrets_read) secrets_read = rotation::SecretsReadBy(workload);
      consumes = std::find(secrets_read->begin(), secrets_read->end(), e.secret_name) != secrets_read->end();
    }
    if (consumes) out.push_back(key);
  }
  return out;
}

void ResourceIndex::SetAccount(const std::string& key, const std::string& account_id) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return;
  Entry& e = it->second;
  if (e.connected && (e.account ? *e.account : std::string()) == account_id) {
    if (claimed_.erase(e.age) > 0) claims_done_.notify_all();
    return;
  }
  LeaveAccountLocked(e);
  e.connected = true;
  unconnected_.erase(e.age);
  if (claimed_.erase(e.age) > 0) claims_done_.notify_all();
  if (!account_id.empty()) {
    auto a = by_account_.try_emplace(account_id).first;
    a->second.insert(&e);
    e.account = &a->first;
  }
}

std::vector<std::string> ResourceIndex::ClaimUnconnectedOlderThan(const Age& me, size_t max) {
  std::vector<std::string> out;
  std::lock_guard lock(mu_);
  for (auto it = unconnected_.begin(); it != unconnected_.end() && *it < me && out.size() < max;) {
    out.push_back(KeyOf(*it));
    claimed_.insert(*it);
    it = unconnected_.erase(it);
  }
  return out;
}

bool ResourceIndex::WaitForClaimsOlderThan(const Age& me, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mu_);
  return claims_done_.wait_for(lock, timeout, [&] { return claimed_.empty() || !(*claimed_.begin() < me); });
}

std::optional<std::string> ResourceIndex::OldestOnAccount(const std::string& account_id, const Age& me) const {
  std::lock_guard lock(mu_);
  auto members = by_account_.find(account_id);
  if (members == by_account_.end() || members->second.empty()) return std::nullopt;
  const Age& oldest = (*members->second.begin())->age;
  if (!(oldest < me)) return std::nullopt;
  return KeyOf(oldest);
}

size_t ResourceIndex::size() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

}  // namespace keyroll::controller
