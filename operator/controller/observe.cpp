// observe.cpp — see observe.h.
#include "operator/controller/observe.h"

#include <set>

#include "operator/controller/pods_to_delete.h"
#include "operator/controller/projections.h"
#include "operator/rotation/discovery.h"
#include "operator/rotation/parse_spec.h"
#include "operator/rotation/selector.h"

namespace keyroll::controller {

using nlohmann::json;
using rotation::ConsumerSource;

namespace {

// The target Secret: cache first; a GET when the cache holds it without the key pair, or
// when a create found an unlabelled one already there (take_live_secret_check). A Secret the
// cache lacks is taken as missing without a GET (a first sync makes no 404 GET): the create
// that follows answers 409 when one exists after all, and the next reconcile reads it.
void ObserveTargetSecret(const ObserveSources& src, const rotation::Spec& spec, Observation& out) {
  const auto& meta = out.observed.resource.meta;
  const auto& t = spec.target;
  auto cached = src.secrets.Get(meta.namespace_, t.secret_name);
  if (cached) {
    if (auto s = ObserveSecret(*cached, t.current_key, t.next_key, meta.uid)) {
      out.observed.secret = *s;
      out.secret_rv = kube::ResourceVersionOf(*cached);
      return;
    }
  } else if (src.take_live_secret_check && !src.take_live_secret_check(meta.namespace_ + "/" + t.secret_name)) {
    return;  // exists = false
  }
  auto live = src.client.Get(kube::resources::kSecrets, meta.namespace_, t.secret_name);
  if (!live) {
    if (kube::IsNotFound(live.error())) return;  // exists = false
    throw ObserveError("cannot read Secret \"" + t.secret_name + "\": " + live.error().ToString());
  }
  json projected = ProjectSecret(*live, {{t.current_key, t.next_key}});
  out.observed.secret = ObserveSecret(projected, t.current_key, t.next_key, meta.uid).value();
  out.secret_rv = kube::ResourceVersionOf(*live);
}

// Declared names and discovered readers are looked up (the readers index), not searched;
// only a label selector goes through the namespace's workloads of its kind.
void ObserveConsumers(const ObserveSources& src, const rotation::Spec& spec, Observation& out) {
  const std::string& ns = out.observed.resource.meta.namespace_;
  using rotation::WorkloadKind;
  auto reader = [&](WorkloadKind k) -> FreshReader& { return *src.workloads[static_cast<size_t>(k)]; };
  // Each kind's workloads of the namespace, listed for its first selector.
  std::array<std::optional<std::vector<json>>, rotation::kWorkloadKinds.size()> all;
  std::set<std::pair<WorkloadKind, std::string>> seen;
  auto add = [&](WorkloadKind kind, const json& w, ConsumerSource source) {
    if (seen.insert({kind, kube::NameOf(w)}).second) out.observed.consumers.push_back(ObserveWorkload(w, kind, source));
  };
  for (const auto& ref : spec.consumers.workloads) {
    if (!ref.name.empty()) {
      if (auto w = reader(ref.kind).Get(ns, ref.name)) add(ref.kind, *w, ConsumerSource::Declared);
      else if (seen.insert({ref.kind, ref.name}).second) {
        rotation::ObservedWorkload missing;
        missing.kind = ref.kind;
        missing.name = ref.name;
        missing.found = false;
        missing.kind_not_served = src.kind_served && !src.kind_served(ref.kind);
        out.observed.consumers.push_back(missing);
      }
    } else if (ref.selector) {
      auto& listed = all[static_cast<size_t>(ref.kind)];
      if (!listed) {
        listed.emplace();
        for (const auto& w : src.workload_stores[static_cast<size_t>(ref.kind)]->List(ns))
          if (auto fresh = reader(ref.kind).Get(ns, kube::NameOf(w))) listed->push_back(*fresh);
      }
      for (const auto& w : *listed)
        if (rotation::Matches(*ref.selector, LabelsOf(w))) add(ref.kind, w, ConsumerSource::Selected);
    }
  }
  if (spec.consumers.discover)
    for (const auto& r : src.secret_readers.ReadersOf(ns, spec.target.secret_name))
      if (auto w = reader(r.kind).Get(ns, r.name))
        if (rotation::WorkloadReadsSecret(*w, spec.target.secret_name)) add(r.kind, *w, ConsumerSource::Discovered);
  for (auto& w : out.observed.consumers) AddPodsToDelete(src.client, ns, w);  // OnDelete ones only
}

// The oldest other resource that uses the same provider account, if any. Looks at the
// index (one account), not at every resource. Resources older than this one whose account
// is not known yet are connected once to learn it, in small claims so that workers share
// that work; then it waits for other workers' claims, so that no older resource is missed.
std::optional<std::string> AccountConflict(const ObserveSources& src, const Observation& me) {
  if (me.provider.account_id.empty()) return std::nullopt;
  const auto& my_meta = me.observed.resource.meta;
  const auto my_age = ResourceIndex::AgeOf(my_meta);
  constexpr size_t kClaim = 32;
  for (auto claim = src.index.ClaimUnconnectedOlderThan(my_age, kClaim); !claim.empty();
       claim = src.index.ClaimUnconnectedOlderThan(my_age, kClaim)) {
    for (const auto& key : claim) {
      std::string id;
      if (auto obj = src.resource_store.GetByKey(key)) {
        rotation::ObservedResource other = rotation::ParseResource(*obj);
        // Connected afresh, not the account last seen: an unconnected resource's spec changed.
        if (!other.meta.deleting && other.spec.ok())
          id = src.providers.Connect(other.meta.namespace_, key, other.spec.value()).account_id;
      }
      src.index.SetAccount(key, id);  // ends the claim
    }
  }
  if (!src.index.WaitForClaimsOlderThan(my_age, std::chrono::seconds(60)))
    throw ObserveError("timed out waiting for the accounts of older resources");
  auto oldest = src.index.OldestOnAccount(me.provider.account_id, my_age);
  if (!oldest) return std::nullopt;
  const std::string prefix = my_meta.namespace_ + "/";
  return oldest->rfind(prefix, 0) == 0 ? oldest->substr(prefix.size()) : *oldest;
}

}  // namespace

std::optional<Observation> Observe(const ObserveSources& src, const std::string& ns, const std::string& name) {
  auto resource = src.resources.Get(ns, name);
  if (!resource) return std::nullopt;
  Observation out;
  out.resource = std::move(*resource);
  out.observed.resource = rotation::ParseResource(out.resource);
  out.observed.pending_settle = src.pending_settle;
  if (!out.observed.resource.spec.ok() || out.observed.resource.meta.deleting) return out;
  const rotation::Spec& spec = out.observed.resource.spec.value();
  const std::string key = ns + "/" + name;
  out.provider = src.providers.Connect(ns, key, spec);
  src.index.SetAccount(key, out.provider.account_id);
  out.observed.provider = src.providers.Latest(key, out.provider);
  ObserveTargetSecret(src, spec, out);
  ObserveConsumers(src, spec, out);
  out.observed.account_conflict_with = AccountConflict(src, out);
  return out;
}

}  // namespace keyroll::controller
