// observe.cpp — see observe.h.
#include "operator/controller/observe.h"

#include <set>

#include "operator/controller/projections.h"
#include "operator/rotation/discovery.h"
#include "operator/rotation/parse_spec.h"
#include "operator/rotation/selector.h"

namespace keyroll::controller {

using nlohmann::json;
using rotation::ConsumerSource;

namespace {

// The target Secret: cache first; a GET when the cache lacks it or lacks the key pair.
void ObserveTargetSecret(const ObserveSources& src, const rotation::Spec& spec, Observation& out) {
  const auto& meta = out.observed.resource.meta;
  const auto& t = spec.target;
  if (auto cached = src.secrets.Get(meta.namespace_, t.secret_name)) {
    if (auto s = ObserveSecret(*cached, t.current_key, t.next_key, meta.uid)) {
      out.observed.secret = *s;
      out.secret_rv = kube::ResourceVersionOf(*cached);
      return;
    }
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

void ObserveConsumers(const ObserveSources& src, const rotation::Spec& spec, Observation& out) {
  const std::string& ns = out.observed.resource.meta.namespace_;
  std::vector<json> all;
  for (const auto& d : src.deployment_store.List(ns))
    if (auto fresh = src.deployments.Get(ns, kube::NameOf(d))) all.push_back(*fresh);
  std::set<std::string> seen;
  auto add = [&](const json& d, ConsumerSource source) {
    if (seen.insert(kube::NameOf(d)).second) out.observed.consumers.push_back(ObserveDeployment(d, source));
  };
  for (const auto& ref : spec.consumers.deployments) {
    if (!ref.name.empty()) {
      auto it = std::find_if(all.begin(), all.end(), [&](const json& d) { return kube::NameOf(d) == ref.name; });
      if (it != all.end()) add(*it, ConsumerSource::Declared);
      else if (seen.insert(ref.name).second) {
        rotation::ObservedDeployment missing;
        missing.name = ref.name;
        missing.found = false;
        out.observed.consumers.push_back(missing);
      }
    } else if (ref.selector) {
      for (const auto& d : all)
        if (rotation::Matches(*ref.selector, LabelsOf(d))) add(d, ConsumerSource::Selected);
    }
  }
  if (spec.consumers.discover)
    for (const auto& d : all)
      if (rotation::DeploymentReadsSecret(d, spec.target.secret_name)) add(d, ConsumerSource::Discovered);
}

// Where a spec's keys live (QStash URL or Auth0 domain): resources elsewhere never share an account.
std::string ProviderLocation(const rotation::Spec& spec) {
  if (const auto* q = rotation::AsQStash(spec)) return "qstash " + q->url;
  if (const auto* a = rotation::AsAuth0(spec)) return "auth0 " + a->domain;
  return "";
}

bool Older(const rotation::ResourceMeta& a, const rotation::ResourceMeta& b) {
  auto ta = a.creation_timestamp.value_or(rotation::Time::max());
  auto tb = b.creation_timestamp.value_or(rotation::Time::max());
  if (ta != tb) return ta < tb;
  return std::make_pair(a.namespace_, a.name) < std::make_pair(b.namespace_, b.name);
}

// The oldest other resource that uses the same provider account, if any.
std::optional<std::string> AccountConflict(const ObserveSources& src, const rotation::Spec& spec,
                                           const Observation& me) {
  if (me.provider.account_id.empty()) return std::nullopt;
  const std::string mine = ProviderLocation(spec);
  const auto& my_meta = me.observed.resource.meta;
  std::optional<rotation::ResourceMeta> oldest;
  for (const auto& obj : src.resource_store.List()) {
    rotation::ObservedResource other = rotation::ParseResource(obj);
    if (other.meta.uid == my_meta.uid || other.meta.deleting || !other.spec.ok()) continue;
    if (mine.empty() || ProviderLocation(other.spec.value()) != mine || !Older(other.meta, my_meta)) continue;
    const std::string key = other.meta.namespace_ + "/" + other.meta.name;
    std::string id = src.providers.AccountOf(key);
    if (id.empty()) id = src.providers.Connect(other.meta.namespace_, key, other.spec.value()).account_id;
    if (id != me.provider.account_id) continue;
    if (!oldest || Older(other.meta, *oldest)) oldest = other.meta;
  }
  if (!oldest) return std::nullopt;
  return oldest->namespace_ == my_meta.namespace_ ? oldest->name : oldest->namespace_ + "/" + oldest->name;
}

}  // namespace

std::optional<Observation> Observe(const ObserveSources& src, const std::string& ns, const std::string& name) {
  auto resource = src.resources.Get(ns, name);
  if (!resource) return std::nullopt;
  Observation out;
  out.resource = *resource;
  out.observed.resource = rotation::ParseResource(*resource);
  out.observed.pending_settle = src.pending_settle;
  if (!out.observed.resource.spec.ok() || out.observed.resource.meta.deleting) return out;
  const rotation::Spec& spec = out.observed.resource.spec.value();
  const std::string key = ns + "/" + name;
  out.provider = src.providers.Connect(ns, key, spec);
  out.observed.provider = src.providers.Latest(key, out.provider);
  ObserveTargetSecret(src, spec, out);
  ObserveConsumers(src, spec, out);
  out.observed.account_conflict_with = AccountConflict(src, spec, out);
  return out;
}

}  // namespace keyroll::controller
