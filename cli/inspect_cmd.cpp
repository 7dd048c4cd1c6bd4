// inspect_cmd.cpp — see inspect_cmd.h.
#include "cli/inspect_cmd.h"

#include "cli/colour.h"
#include "cli/errors.h"
#include "cli/format.h"
#include "operator/rotation/vocabulary.h"

namespace keyroll::cli {

using nlohmann::json;

namespace {

constexpr size_t kRecentEvents = 10;

std::string Short(const std::string& hash) { return hash.empty() ? "-" : hash.substr(0, 12); }

}  // namespace

json InspectJson(const ClusterState& state, const std::vector<EventView>& events) {
  const auto& o = state.observed;
  const auto& r = o.resource;
  json out = {{"namespace", r.meta.namespace_}, {"name", r.meta.name}, {"phase", r.status.phase}};
  if (r.spec.ok()) {
    const auto& t = r.spec.value().target;
    json secret = {{"name", t.secret_name}, {"exists", o.secret.exists}};
    if (o.secret.exists) {
      secret["fingerprints"] = o.secret.data_fingerprints;
      secret["currentKey"] = t.current_key;
      secret["nextKey"] = t.next_key;
      secret["keysHash"] = o.secret.keys_hash;
      secret["ownerReference"] = o.secret.owner_reference_to_resource;
      if (r.status.keys) secret["matchesStatus"] = r.status.keys->keys_hash == o.secret.keys_hash;
    }
    out["secret"] = secret;
    out["restart"] =
        r.spec.value().consumers.restart == rotation::RestartPolicy::None ? "None" : "RolloutRestart";
  }
  json consumers = json::array();
  for (const auto& c : state.consumers)
    consumers.push_back({{"kind", c.kind},
                         {"name", c.name},
                         {"source", c.source},
                         {"templateKeysHash", c.template_keys_hash},
                         {"observedKeysHash", c.observed_keys_hash},
                         {"rollout", c.rollout},
                         {"state", c.state},
                         {"message", c.message}});
  out["consumers"] = consumers;
  json ev = json::array();
  size_t first = events.size() > kRecentEvents ? events.size() - kRecentEvents : 0;
  for (size_t i = first; i < events.size(); ++i)
    ev.push_back({{"lastTimestamp", events[i].last_timestamp},
                  {"type", events[i].type},
                  {"reason", events[i].reason},
                  {"message", events[i].message},
                  {"count", events[i].count}});
  out["events"] = ev;
  return out;
}

int RunInspect(const GlobalOptions& options, const std::string& name, std::ostream& out) {
  Session session = Connect(options);
  const auto now = std::chrono::time_point_cast<rotation::Seconds>(std::chrono::system_clock::now());
  ClusterState state = ReadClusterState(*session.client, session.ns, name, now);
  json j = InspectJson(state, ResourceEvents(*session.client, session.ns, name));
  if (options.output == "json") return out << j.dump(2) << "\n", kExitOk;
  if (options.output == "yaml") return out << ToYaml(j), kExitOk;

  out << rotation::vocab::kKind << " " << session.ns << "/" << name << ": phase "
      << Paint(j["phase"].get<std::string>().empty() ? "Pending" : j["phase"].get<std::string>()) << "\n\n";
  if (j.contains("secret")) {
    const json& s = j["secret"];
    out << "Secret \"" << s["name"].get<std::string>() << "\"";
    if (!s["exists"].get<bool>()) {
      out << ": does not exist\n";
    } else {
      out << " (fingerprints: first 8 hex digits of SHA-256; values are never shown)\n";
      std::vector<Row> rows;
      for (auto it = s["fingerprints"].begin(); it != s["fingerprints"].end(); ++it) {
        std::string role = it.key() == s["currentKey"] ? "current" : it.key() == s["nextKey"] ? "next" : "";
        rows.push_back({"  " + it.key(), it.value().get<std::string>(), role});
      }
      PrintTable(out, {"  DATA KEY", "FINGERPRINT", "ROLE"}, rows);
      out << "  keysHash " << Short(s["keysHash"]);
      if (s.contains("matchesStatus"))
        out << (s["matchesStatus"].get<bool>() ? " (what keyroll last synced)"
                                               : Yellow(" (differs from status.keys)"));
      out << "\n";
    }
  }
  out << "\nConsumers (restart: " << j.value("restart", "-") << ")\n";
  if (j["consumers"].empty())
    out << "  none\n";
  else {
    std::vector<Row> rows;
    for (const auto& c : j["consumers"])
      rows.push_back({"  " + c["kind"].get<std::string>(), c["name"], c["source"],
                      Short(c["templateKeysHash"]), Short(c["observedKeysHash"]), c["rollout"],
                      Paint(c["state"].get<std::string>())});
    PrintTable(out,
               {"  KIND", "NAME", "SOURCE", "TEMPLATE KEYS-HASH", "OBSERVED KEYS-HASH", "ROLLOUT", "STATE"},
               rows);
  }
  out << "\nRecent events\n";
  if (j["events"].empty())
    out << "  none\n";
  else {
    std::vector<Row> rows;
    for (const auto& e : j["events"])
      rows.push_back({"  " + e["lastTimestamp"].get<std::string>(), e["type"], e["reason"], e["message"]});
    PrintTable(out, {"  LAST SEEN", "TYPE", "REASON", "MESSAGE"}, rows);
  }
  return kExitOk;
}

}  // namespace keyroll::cli
