// why_cmd.cpp — see why_cmd.h. Nothing here decides: the gate policies, Decide and the
// rotation policy are operator/rotation's; this file only feeds them and prints.
#include "cli/why_cmd.h"

#include <algorithm>

#include "cli/colour.h"
#include "cli/errors.h"
#include "cli/format.h"
#include "cli/provider_read.h"
#include "operator/rotation/conditions.h"
#include "operator/rotation/decide.h"
#include "operator/rotation/gate.h"
#include "operator/rotation/judge_consumers.h"
#include "operator/rotation/policy.h"
#include "operator/rotation/secret_plan.h"
#include "operator/rotation/vocabulary.h"

namespace keyroll::cli {

using nlohmann::json;
namespace vocab = rotation::vocab;

namespace {

std::string RotateRequest(const rotation::ResourceMeta& meta) {
  auto it = meta.annotations.find(std::string(vocab::kAnnotationRotateRequest));
  return it == meta.annotations.end() ? "" : it->second;
}

// The consumers judged as Decide judges them (rotation::JudgeConsumers); messages are the
// ones Decide wrote to status (so a planned restart reads "restarting ..." there too).
std::vector<rotation::ConsumerJudgement> Judge(const rotation::Observed& o, const rotation::Spec& spec,
                                               const rotation::Status& decided, const std::string& hash,
                                               rotation::Time now) {
  auto out = rotation::JudgeConsumers(o, spec, hash, now);
  for (auto& j : out)
    for (const auto& c : decided.consumers)
      if (c.kind == rotation::KindName(j.kind) && c.name == j.name && !c.up_to_date) j.message = c.message;
  return out;
}

json Policies(const rotation::Observed& o, const rotation::Spec& spec, const rotation::Status& decided,
              rotation::Time now) {
  const auto& meta = o.resource.meta;
  const auto& provider = o.provider.keys;
  auto secret = rotation::ClassifySecret(o.secret, meta, provider);
  std::string hash = provider && secret != rotation::SecretState::Conflict    ? provider->keys_hash
                     : !provider && rotation::OwnedByResource(o.secret, meta) ? o.secret.keys_hash
                                                                              : "";
  auto consumers = Judge(o, spec, decided, hash, now);
  std::optional<rotation::ProviderError> error;
  if (!provider)
    error = o.provider.error.value_or(
        rotation::ProviderError{rotation::ProviderErrorKind::Unavailable, "no answer"});
  std::string origin;
  if (const auto* k = rotation::FindCondition(o.resource.status.conditions, vocab::kCondKeysSynced))
    origin = k->reason;
  rotation::GateInput in{spec, decided, error, secret, consumers, o.account_conflict_with, origin, now};
  json out = json::array();
  for (const auto& p : rotation::GateChain()) {
    auto v = p.check(in);
    json item = {{"policy", std::string(p.name)}, {"result", v ? "hold" : "pass"}};
    if (v) item["reason"] = v->reason, item["message"] = v->message;
    out.push_back(item);
  }
  return out;
}

json NextSteps(const rotation::Plan& plan, const rotation::Spec& spec) {
  json steps = json::array();
  if (plan.read_provider) steps.push_back("read the provider's keys, then decide again");
  const auto& s = plan.secret;
  if (s.op != rotation::SecretOp::None)
    steps.push_back(std::string(s.op == rotation::SecretOp::Create ? "create" : "update") + " Secret \"" +
                    spec.target.secret_name + "\"" +
                    (s.write_keys ? " with the provider's keys (current " + s.keys.current_fingerprint +
                                        ", next " + s.keys.next_fingerprint + ")"
                                  : " (labels, annotations or owner reference)"));
  for (const auto& r : plan.restarts)
    steps.push_back("restart " + std::string(rotation::KindName(r.kind)) + " \"" + r.name + "\" to load keys " +
                    r.keys_hash.substr(0, 8));
  bool said = false;
  for (const auto& e : plan.events)
    if (e.reason == vocab::kEventRotationStarted) steps.push_back("rotate: " + e.message), said = true;
  if (plan.rotate && !said) steps.push_back("rotate the keys");
  if (!plan.revoke_kid.empty()) steps.push_back("revoke the previous key " + plan.revoke_kid);
  if (plan.status) steps.push_back("write status");
  if (plan.requeue_after)
    steps.push_back("look again in " + FormatAge(*plan.requeue_after) + " (or on the next change)");
  return steps;
}

}  // namespace

json Explain(const ClusterState& state, rotation::Time now) {
  const auto& o = state.observed;
  const auto& r = o.resource;
  json out = {{"namespace", r.meta.namespace_}, {"name", r.meta.name}, {"phase", r.status.phase}};
  if (r.status.keys)
    out["keys"] = {{"current", r.status.keys->current_fingerprint},
                   {"next", r.status.keys->next_fingerprint}};
  if (r.meta.generation != r.status.observed_generation)
    out["warning"] = "the operator has not reconciled generation " + std::to_string(r.meta.generation) +
                     " yet (status is for " + std::to_string(r.status.observed_generation) + ")";
  if (r.meta.deleting) {
    out["verdict"] = "being deleted: keyroll does nothing more";
    return out;
  }
  if (!r.spec.ok()) {
    out["verdict"] =
        std::string(vocab::kReasonInvalidSpec) + ": " + rotation::JoinFieldErrors(r.spec.error());
    return out;
  }
  const rotation::Spec& spec = r.spec.value();
  rotation::Plan plan = rotation::Decide(o, now);
  const rotation::Status& decided = plan.status ? *plan.status : r.status;
  out["policies"] = Policies(o, spec, decided, now);
  if (plan.rotate) {
    // Decide records the intent, so its status says RotationPending: the gate itself is open.
    out["rotationAllowed"] = {{"status", vocab::kTrue},
                              {"reason", vocab::kReasonAllowed},
                              {"message", "the gate is open: keyroll would rotate now"}};
    out["firstHold"] = "";
  } else if (const auto* c = rotation::FindCondition(decided.conditions, vocab::kCondRotationAllowed)) {
    out["rotationAllowed"] = {{"status", c->status}, {"reason", c->reason}, {"message", c->message}};
    out["firstHold"] = c->status == vocab::kTrue ? "" : c->reason;
  }
  rotation::PolicyInput policy{spec.rotation, decided, RotateRequest(r.meta), r.meta.creation_timestamp};
  if (auto due = rotation::RotationDue(policy, now))
    out["due"] = {{"trigger", rotation::ToString(due->kind)}, {"message", due->message}};
  if (decided.next_rotation_time)
    out["nextRotation"] = FormatInZone(*decided.next_rotation_time, spec.rotation.time_zone);
  if (decided.pending_rotation)
    out["rotationInProgress"] = "a rotation is in flight (started " +
                                rotation::FormatTimestamp(decided.pending_rotation->started_at) + ")";
  // The intent on record: its call is in flight, or a crash cut it short and keyroll resolves
  // it on its next provider read (decide.h, crash-safe revocation).
  if (const auto& revoking = r.status.pending_revocation)
    out["revocationInProgress"] = "a revocation of key " + revoking->kid + " is in flight (started " +
                                  rotation::FormatTimestamp(revoking->started_at) + ")";
  out["next"] = NextSteps(plan, spec);
  return out;
}

int RunWhy(const GlobalOptions& options, const std::string& name, const WhyOptions& why, std::ostream& out) {
  Session session = Connect(options);
  const auto now = std::chrono::time_point_cast<rotation::Seconds>(std::chrono::system_clock::now());
  ClusterState state = ReadClusterState(*session.client, session.ns, name, now);
  bool read =
      why.read_provider && state.observed.resource.spec.ok() && !state.observed.resource.meta.deleting;
  std::string why_not;
  if (read) {
    auto provider =
        ReadProviderNow(*session.client, state.observed.resource, why.provider_ca_file, now, &why_not);
    if (provider) state.observed.provider = *provider;
    read = provider.has_value();
  }
  json e = Explain(state, now);
  e["providerKeysFrom"] = read ? "the provider, read now" : "status (the operator's last read)";
  if (!why_not.empty()) e["providerKeysFrom"] = "status: " + why_not;
  if (read && state.observed.provider.keys)
    e["providerKeys"] = {{"current", state.observed.provider.keys->current_fingerprint},
                         {"next", state.observed.provider.keys->next_fingerprint}};
  if (read && state.observed.provider.error)
    e["providerError"] = std::string(rotation::ToString(state.observed.provider.error->kind)) + ": " +
                         state.observed.provider.error->message;
  if (options.output == "json") return out << e.dump(2) << "\n", kExitOk;
  if (options.output == "yaml") return out << ToYaml(e), kExitOk;

  auto str = [](const json& j, const char* k) {
    return j.contains(k) ? j[k].get<std::string>() : std::string();
  };
  out << vocab::kKind << " " << str(e, "namespace") << "/" << str(e, "name") << ": phase "
      << Paint(str(e, "phase").empty() ? "Pending" : str(e, "phase"));
  if (e.contains("keys")) out << ", keys " << str(e["keys"], "current") << " / " << str(e["keys"], "next");
  out << "\n";
  out << "Provider keys from " << str(e, "providerKeysFrom");
  if (e.contains("providerKeys"))
    out << ": " << str(e["providerKeys"], "current") << " / " << str(e["providerKeys"], "next");
  if (e.contains("providerError")) out << ": " << Red("failed (" + str(e, "providerError") + ")");
  out << "\n";
  if (e.contains("warning")) out << Yellow("warning: " + str(e, "warning")) << "\n";
  if (e.contains("verdict")) return out << str(e, "verdict") << "\n", kExitOk;

  out << "\nRotation gate (the operator's policies, in order, on the cluster's state now):\n";
  std::vector<Row> rows;
  for (const auto& p : e["policies"])
    rows.push_back({"  " + Paint(str(p, "result")), str(p, "policy"), str(p, "message")});
  PrintTable(out, {"  RESULT", "POLICY", "MESSAGE"}, rows);
  if (e.contains("rotationAllowed")) {
    const auto& ra = e["rotationAllowed"];
    bool allowed = str(ra, "status") == vocab::kTrue;
    out << "\nRotationAllowed=" << str(ra, "status") << " (" << str(ra, "reason") << ")"
        << (allowed ? "" : ": " + str(ra, "message")) << "\n";
  }
  if (e.contains("due"))
    out << "Rotation due: " << str(e["due"], "message") << "\n";
  else
    out << "Rotation due: no"
        << (e.contains("nextRotation") ? "; next by policy " + str(e, "nextRotation") : "")
        << " (`kubectl keyroll rotate " << str(e, "name") << "` asks for one)\n";
  if (e.contains("rotationInProgress")) out << str(e, "rotationInProgress") << "\n";
  if (e.contains("revocationInProgress")) out << str(e, "revocationInProgress") << "\n";
  out << "\nNext, keyroll would:\n";
  if (e["next"].empty()) out << "  nothing (steady state)\n";
  for (const auto& s : e["next"]) out << "  - " << s.get<std::string>() << "\n";
  return kExitOk;
}

}  // namespace keyroll::cli
