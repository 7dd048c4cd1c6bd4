// cluster_state.cpp — see cluster_state.h. Reads as the controller's observe.cpp does, but
// with plain GET/LIST calls (a CLI has no informer caches).
#include "cli/cluster_state.h"

#include <map>
#include <set>

#include "cli/errors.h"
#include "operator/controller/projections.h"
#include "operator/rotation/conditions.h"
#include "operator/rotation/consumer_state.h"
#include "operator/rotation/discovery.h"
#include "operator/rotation/parse_spec.h"
#include "operator/rotation/rollout.h"
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
    case rotation::ConsumerState::CannotComplete:
      return "cannot complete";
    case rotation::ConsumerState::NotFound:
      return "not found";
  }
  return "";
}

// Judged as the operator judges it (decide.cpp): rollouts against the Secret's keysHash, Jobs
// against when the current keys were written (status.keys.syncedAt).
ConsumerView ViewOf(const rotation::ObservedWorkload& d, const rotation::Spec& spec, const rotation::Status& status,
                    const std::string& hash) {
  ConsumerView v;
  const std::optional<rotation::Time> written =
      status.keys && status.keys->synced_at ? status.keys->synced_at : std::nullopt;
  auto judged = rotation::RollsOut(d.kind) ? rotation::JudgeConsumer(d, spec.consumers.restart, hash)
                                           : rotation::JudgeJob(d, spec.consumers.running_jobs, written);
  v.kind = std::string(rotation::KindName(d.kind));
  v.state = StateName(judged.state);
  v.message = judged.message;
  v.name = d.name;
  v.source = SourceName(d.source);
  v.found = d.found;
  v.template_keys_hash = d.template_keys_hash.value_or("");
  v.observed_keys_hash = d.observed_keys_hash.value_or("");
  if (!d.found) {
    v.rollout = "not found";
  } else if (!rotation::RollsOut(d.kind)) {
    v.rollout = d.kind == rotation::WorkloadKind::CronJob ? "reads the keys when its Jobs start"
                : d.finished                               ? "finished"
                : d.active > 0                             ? "running"
                                                           : "not started";
  } else {
    auto r = rotation::JudgeRollout(d);
    v.rollout = r.progress == rotation::RolloutProgress::Complete ? "complete"
                : r.progress == rotation::RolloutProgress::Failed ? "failed: " + r.message
                                                                  : r.message;
  }
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

// Every workload of a kind in the namespace, projected as the operator's caches keep them.
// nullopt: the kind is not served (Argo Rollouts not installed).
std::optional<std::vector<json>> ListWorkloads(kube::Client& client, rotation::WorkloadKind kind,
                                               const std::string& ns) {
  auto list = client.ListAll(controller::ResourceOf(kind), ns, {}, controller::ProjectWorkload);
  if (!list && kind == rotation::WorkloadKind::Rollout && kube::IsNotFound(list.error())) return std::nullopt;
  if (!list)
    throw FromKube(list.error(), std::string(rotation::KindName(kind)) + "s in " + Quoted(ns));
  return std::move(list->items);
}

void ReadConsumers(kube::Client& client, const rotation::Spec& spec, ClusterState& out) {
  using rotation::WorkloadKind;
  const std::string& ns = out.observed.resource.meta.namespace_;
  std::map<WorkloadKind, std::optional<std::vector<json>>> listed;  // listed once per kind
  auto all = [&](WorkloadKind kind) -> const std::optional<std::vector<json>>& {
    auto it = listed.find(kind);
    if (it == listed.end()) it = listed.emplace(kind, ListWorkloads(client, kind, ns)).first;
    return it->second;
  };
  std::set<std::pair<WorkloadKind, std::string>> seen;
  auto& consumers = out.observed.consumers;
  auto add = [&](WorkloadKind kind, const json& w, ConsumerSource source) {
    if (seen.insert({kind, kube::NameOf(w)}).second)
      consumers.push_back(controller::ObserveWorkload(w, kind, source));
  };
  for (const auto& ref : spec.consumers.workloads) {
    const std::string kind_name(rotation::KindName(ref.kind));
    if (!ref.name.empty()) {
      auto w = client.Get(controller::ResourceOf(ref.kind), ns, ref.name);
      if (w) {
        add(ref.kind, controller::ProjectWorkload(*w), ConsumerSource::Declared);
      } else if (!kube::IsNotFound(w.error())) {
        throw FromKube(w.error(), kind_name + " " + Quoted(ref.name));
      } else if (seen.insert({ref.kind, ref.name}).second) {
        rotation::ObservedWorkload missing;
        missing.kind = ref.kind;
        missing.name = ref.name;
        missing.found = false;
        missing.kind_not_served = ref.kind == WorkloadKind::Rollout && !all(ref.kind);
        consumers.push_back(missing);
      }
    } else if (ref.selector) {
      if (const auto& listed_kind = all(ref.kind))
        for (const auto& w : *listed_kind)
          if (rotation::Matches(*ref.selector, controller::LabelsOf(w))) add(ref.kind, w, ConsumerSource::Selected);
    }
  }
  if (spec.consumers.discover)
    for (WorkloadKind kind : rotation::kWorkloadKinds)
      if (const auto& listed_kind = all(kind))
        for (const auto& w : *listed_kind)
          if (rotation::WorkloadReadsSecret(w, spec.target.secret_name)) add(kind, w, ConsumerSource::Discovered);
  for (const auto& d : consumers)
    out.consumers.push_back(ViewOf(d, spec, out.observed.resource.status, out.observed.secret.keys_hash));
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
