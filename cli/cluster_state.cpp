// cluster_state.cpp — see cluster_state.h. Reads as the controller's observe.cpp does, but
// with plain GET/LIST calls (a CLI has no informer caches).
#include "cli/cluster_state.h"

#include <set>

#include "cli/errors.h"
#include "operator/controller/projections.h"
#include "operator/rotation/conditions.h"
#include "operator/rotation/consumer_state.h"
#include "operator/rotation/discovery.h"
#include "operator/rotation/parse_spec.h"
#include "operator/rotation/selector.h"
#include "operator/rotation/vocabulary.h"

namespace keyroll::cli {

using nlohmann::json;
using rotation::ConsumerSource;
namespace vocab = rotation::vocab;

namespace {

std::string Quoted(const std::string& s) { return "\"" + s + "\""; }

const char* SourceName(ConsumerSource s) {
  switch (s) {
    case ConsumerSource::Declared:
      return "declared";
    case ConsumerSource::Selected:
      return "selected";
    case ConsumerSource::Discovered:
      return "discovered";
  }
  return "";
}

const char* StateName(rotation::ConsumerState s) {
  switch (s) {
    case rotation::ConsumerState::UpToDate:
      return "up to date";
    case rotation::ConsumerState::Stale:
      return "stale";
    case rotation::ConsumerState::RollingOut:
      return "rolling out";
    case rotation::ConsumerState::RolloutFailed:
      return "rollout failed";
    case rotation::ConsumerState::NotFound:
      return "not found";
  }
  return "";
}

ConsumerView ViewOf(const rotation::ObservedDeployment& d, rotation::RestartPolicy policy,
                    const std::string& hash) {
  ConsumerView v;
  auto judged = rotation::JudgeConsumer(d, policy, hash);
  v.state = StateName(judged.state);
  v.message = judged.message;
  v.name = d.name;
  v.source = SourceName(d.source);
  v.found = d.found;
  v.template_keys_hash = d.template_keys_hash.value_or("");
  v.observed_keys_hash = d.observed_keys_hash.value_or("");
  if (!d.found)
    v.rollout = "not found";
  else if (rotation::RolloutFailed(d))
    v.rollout = "failed: " + d.progressing_reason;
  else if (rotation::RolloutComplete(d))
    v.rollout = "complete";
  else
    v.rollout = "in progress (" + std::to_string(d.updated_replicas) + "/" + std::to_string(d.replicas) +
                " updated, " + std::to_string(d.available_replicas) + " available)";
  return v;
}

void ReadSecret(kube::Client& client, const rotation::Spec& spec, ClusterState& out) {
  const auto& meta = out.observed.resource.meta;
  const auto& t = spec.target;
  auto live = client.Get(kube::resources::kSecrets, meta.namespace_, t.secret_name);
  if (!live) {
    if (kube::IsNotFound(live.error())) return;  // exists = false
    throw FromKube(live.error(), "Secret " + Quoted(t.secret_name));
  }
  // The projection keeps fingerprints and hashes; the values die with `live`.
  json projected = controller::ProjectSecret(*live, {{t.current_key, t.next_key}});
  out.observed.secret = controller::ObserveSecret(projected, t.current_key, t.next_key, meta.uid).value();
}

std::vector<json> ListDeployments(kube::Client& client, const std::string& ns) {
  auto list = client.ListAll(kube::resources::kDeployments, ns, {}, controller::ProjectDeployment);
  if (!list) throw FromKube(list.error(), "Deployments in " + Quoted(ns));
  return std::move(list->items);
}

void ReadConsumers(kube::Client& client, const rotation::Spec& spec, ClusterState& out) {
  const std::string& ns = out.observed.resource.meta.namespace_;
  std::optional<std::vector<json>> all;
  std::set<std::string> seen;
  auto& consumers = out.observed.consumers;
  auto add = [&](const json& d, ConsumerSource source) {
    if (seen.insert(kube::NameOf(d)).second) consumers.push_back(controller::ObserveDeployment(d, source));
  };
  for (const auto& ref : spec.consumers.deployments) {
    if (!ref.name.empty()) {
      auto d = client.Get(kube::resources::kDeployments, ns, ref.name);
      if (d) {
        add(controller::ProjectDeployment(*d), ConsumerSource::Declared);
      } else if (!kube::IsNotFound(d.error())) {
        throw FromKube(d.error(), "Deployment " + Quoted(ref.name));
      } else if (seen.insert(ref.name).second) {
        rotation::ObservedDeployment missing;
        missing.name = ref.name;
        missing.found = false;
        consumers.push_back(missing);
      }
    } else if (ref.selector) {
      if (!all) all = ListDeployments(client, ns);
      for (const auto& d : *all)
        if (rotation::Matches(*ref.selector, controller::LabelsOf(d))) add(d, ConsumerSource::Selected);
    }
  }
  if (spec.consumers.discover) {
    if (!all) all = ListDeployments(client, ns);
    for (const auto& d : *all)
      if (rotation::DeploymentReadsSecret(d, spec.target.secret_name)) add(d, ConsumerSource::Discovered);
  }
  for (const auto& d : consumers)
    out.consumers.push_back(ViewOf(d, spec.consumers.restart, out.observed.secret.keys_hash));
}

// "cannot read the provider's keys (Kind): message" (decide_status.cpp) back into an error.
rotation::ProviderError ProviderErrorFrom(const std::string& message) {
  using K = rotation::ProviderErrorKind;
  rotation::ProviderError e{K::Unavailable, message};
  auto open = message.find(" ("), close = message.find("): ");
  if (open == std::string::npos || close == std::string::npos || close < open) return e;
  std::string kind = message.substr(open + 2, close - open - 2);
  e.message = message.substr(close + 3);
  for (K k :
       {K::Credentials, K::Unauthorized, K::RateLimited, K::Unavailable, K::Timeout, K::InvalidResponse})
    if (kind == rotation::ToString(k)) e.kind = k;
  return e;
}

// The provider as the operator last saw it: status.keys, or the error KeysSynced reports.
rotation::ObservedProvider ProviderFromStatus(const rotation::Status& status, rotation::Time now) {
  rotation::ObservedProvider p;
  p.read_at = now;
  const auto* synced = rotation::FindCondition(status.conditions, vocab::kCondKeysSynced);
  if (synced && synced->reason == vocab::kReasonProviderError) {
    p.error = ProviderErrorFrom(synced->message);
  } else if (status.keys) {
    const auto& k = *status.keys;
    p.keys = rotation::ProviderKeys{k.current_fingerprint, k.next_fingerprint, k.keys_hash};
    p.keys->current_kid = k.current_kid;
    p.keys->next_kid = k.next_kid;
    p.keys->previous_kid = k.previous_kid;
  } else if (synced) {
    // The operator read the provider but recorded no keys (a Secret it must not touch):
    // reachable, fingerprints unknown. Nothing is synced or judged against them.
    p.keys = rotation::ProviderKeys{"unknown", "unknown", ""};
  }
  return p;
}

// The account check needs every resource's credentials; the operator's verdict is used:
// RotationAllowed=False/Conflict names the older resource in quotes.
std::optional<std::string> ConflictFromStatus(const rotation::Status& status) {
  const auto* allowed = rotation::FindCondition(status.conditions, vocab::kCondRotationAllowed);
  if (!allowed || allowed->reason != vocab::kReasonConflict) return std::nullopt;
  auto a = allowed->message.find('"');
  auto b = a == std::string::npos ? a : allowed->message.find('"', a + 1);
  if (b == std::string::npos) return std::nullopt;
  return allowed->message.substr(a + 1, b - a - 1);
}

}  // namespace

json ReadResource(kube::Client& client, const std::string& ns, const std::string& name) {
  auto r = client.Get(kube::resources::kSigningKeyRotations, ns, name);
  if (!r)
    throw FromKubeSkr(r.error(),
                      std::string(vocab::kKind) + " " + Quoted(name) + " in namespace " + Quoted(ns));
  return std::move(*r);
}

ClusterState ReadClusterState(kube::Client& client, const std::string& ns, const std::string& name,
                              rotation::Time now) {
  ClusterState out;
  out.resource = ReadResource(client, ns, name);
  out.observed.resource = rotation::ParseResource(out.resource);
  const auto& r = out.observed.resource;
  if (!r.spec.ok() || r.meta.deleting) return out;
  const rotation::Spec& spec = r.spec.value();
  out.observed.provider = ProviderFromStatus(r.status, now);
  out.observed.account_conflict_with = ConflictFromStatus(r.status);
  ReadSecret(client, spec, out);
  ReadConsumers(client, spec, out);
  return out;
}

}  // namespace keyroll::cli
