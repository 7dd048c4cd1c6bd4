// status_cmd.cpp — see status_cmd.h.
#include "cli/status_cmd.h"

#include "cli/cluster_state.h"
#include "cli/colour.h"
#include "cli/errors.h"
#include "cli/format.h"
#include "operator/rotation/conditions.h"
#include "operator/rotation/duration.h"
#include "operator/rotation/parse_spec.h"
#include "operator/rotation/vocabulary.h"

namespace keyroll::cli {

using nlohmann::json;
namespace vocab = rotation::vocab;

namespace {

std::string Dash(const std::string& s) { return s.empty() ? "-" : s; }

// The few words that say why a resource is not Ready: the first False condition of
// Ready, RotationAllowed, ConsumersUpToDate, KeysSynced.
std::string WhyNotReady(const rotation::Status& status, const std::string& phase) {
  if (phase == vocab::kPhaseReady) return "";
  for (auto type : {vocab::kCondReady, vocab::kCondRotationAllowed, vocab::kCondConsumersUpToDate,
                    vocab::kCondKeysSynced}) {
    const auto* c = rotation::FindCondition(status.conditions, type);
    if (c && c->status != vocab::kTrue) return c->reason + ": " + c->message;
  }
  return phase.empty() ? "not reconciled yet (is the operator running?)" : "";
}

std::string Phase(const rotation::ObservedResource& r) {
  if (!r.spec.ok() && r.status.phase.empty()) return std::string(vocab::kPhaseFailed);
  return r.status.phase.empty() ? "Pending" : r.status.phase;
}

}  // namespace

json Summarize(const json& resource, rotation::Time now) {
  rotation::ObservedResource r = rotation::ParseResource(resource);
  const rotation::Status& st = r.status;
  json s = {{"namespace", r.meta.namespace_}, {"name", r.meta.name}, {"phase", Phase(r)}};
  if (st.keys) {
    s["currentFingerprint"] = st.keys->current_fingerprint;
    s["nextFingerprint"] = st.keys->next_fingerprint;
    s["keysHash"] = st.keys->keys_hash;
    if (st.keys->synced_at) s["keyAge"] = FormatAge(now - *st.keys->synced_at);
  }
  std::string zone = "UTC";
  if (r.spec.ok()) {
    const auto& rot = r.spec.value().rotation;
    zone = rot.time_zone;
    if (rot.max_key_age) s["maxKeyAge"] = rotation::FormatDuration(*rot.max_key_age);
    if (!rot.schedule.empty()) s["schedule"] = rot.schedule + " (" + zone + ")";
    if (rot.suspend) s["suspended"] = true;
    s["secret"] = r.spec.value().target.secret_name;
  }
  s["rotationCount"] = st.rotation_count;
  if (st.last_rotation_time) s["lastRotation"] = rotation::FormatTimestamp(*st.last_rotation_time);
  if (st.next_rotation_time) {
    s["nextRotation"] = rotation::FormatTimestamp(*st.next_rotation_time);
    s["nextRotationLocal"] = FormatInZone(*st.next_rotation_time, zone);
  }
  if (st.pending_rotation) s["rotationInProgress"] = true;
  if (st.pending_revocation) {  // its intent is recorded: the revoke call is in flight (or a crash cut it short)
    s["revocationInProgress"] = true;
    s["revokingKid"] = st.pending_revocation->kid;
  }
  s["consumersReady"] = st.consumers_ready;
  s["reason"] = WhyNotReady(st, s["phase"]);
  if (!r.spec.ok())
    s["reason"] = std::string(vocab::kReasonInvalidSpec) + ": " + rotation::JoinFieldErrors(r.spec.error());
  return s;
}

int RunStatus(const GlobalOptions& options, const std::string& name, std::ostream& out) {
  Session session = Connect(options);
  const auto now = std::chrono::time_point_cast<rotation::Seconds>(std::chrono::system_clock::now());
  std::vector<json> items;
  if (!name.empty()) {
    items.push_back(ReadResource(*session.client, session.ns, name));
  } else {
    auto list = session.client->ListAll(kube::resources::kSigningKeyRotations, session.ns);
    if (!list) throw FromKubeSkr(list.error(), std::string(vocab::kKind) + "s");
    items = std::move(list->items);
  }
  json summaries = json::array();
  for (const auto& item : items) summaries.push_back(Summarize(item, now));

  if (options.output == "json") {
    out << summaries.dump(2) << "\n";
    return kExitOk;
  }
  if (options.output == "yaml") {
    out << ToYaml(summaries);
    return kExitOk;
  }
  if (summaries.empty()) {
    std::string where = options.all_namespaces ? "any namespace" : "namespace \"" + session.ns + "\"";
    out << "No " << vocab::kKind << " found in " << where << ".\n";
    return kExitOk;
  }
  const bool wide = options.output == "wide";
  Row headers = {"NAME",          "PHASE",         "CURRENT",   "NEXT",  "KEY AGE",
                 "LAST ROTATION", "NEXT ROTATION", "CONSUMERS", "REASON"};
  if (options.all_namespaces) headers.insert(headers.begin(), "NAMESPACE");
  if (wide) headers.insert(headers.end() - 1, {"ROTATIONS", "SECRET", "KEYS HASH"});
  std::vector<Row> rows;
  for (const auto& s : summaries) {
    auto str = [&](const char* k) {
      return s.contains(k) && s[k].is_string() ? s[k].get<std::string>() : "";
    };
    std::string age = Dash(str("keyAge"));
    if (s.contains("maxKeyAge")) age += " / " + str("maxKeyAge");
    std::string last = "-";
    if (auto t = rotation::ParseTimestamp(str("lastRotation"))) last = FormatAge(now - *t) + " ago";
    std::string next = s.contains("suspended") ? "suspended" : Dash(str("nextRotationLocal"));
    Row row = {str("name"),
               Paint(str("phase")),
               Dash(str("currentFingerprint")),
               Dash(str("nextFingerprint")),
               age,
               last,
               next,
               Dash(str("consumersReady")),
               Dash(Truncate(str("reason"), wide ? 0 : 60))};
    if (options.all_namespaces) row.insert(row.begin(), str("namespace"));
    if (wide)
      row.insert(row.end() - 1, {std::to_string(s["rotationCount"].get<int64_t>()), Dash(str("secret")),
                                 Dash(str("keysHash").substr(0, 12))});
    rows.push_back(std::move(row));
  }
  PrintTable(out, headers, rows);
  return kExitOk;
}

}  // namespace keyroll::cli
