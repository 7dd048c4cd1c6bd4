#include "tests/support/gate_oracle.h"

#include <map>
#include <set>

#include "operator/rotation/workload.h"
#include "tests/support/e2e_workloads.h"

namespace keyroll::testing {
namespace {

using nlohmann::json;

std::string At(const json& o, const char* pointer) {
  const json v = o.value(json::json_pointer(pointer), json());
  return v.is_string() ? v.get<std::string>() : "";
}

// An intent is told from the previous one by when it started and the key it rotates away from.
std::string IntentId(const json& pending) {
  return pending.is_object() ? pending.value("startedAt", "") + "/" + pending.value("fromFingerprint", "") : "";
}

}  // namespace

std::vector<std::string> GateViolationsInServerOrder(const json& journal, const std::string& skr,
                                                     const std::vector<std::string>& consumers,
                                                     int provider_rotations) {
  std::vector<std::string> out;
  if (journal.value("dropped", 0) > 0)
    out.push_back("the journal dropped " + journal["dropped"].dump() + " old writes: the order cannot be judged");
  std::map<std::string, std::set<std::string>> rolled_out;  // consumer -> keysHashes of complete rollouts
  std::set<std::string> intents_from;
  std::string last_intent;
  int intents = 0;
  for (const auto& e : journal.value("entries", json::array())) {
    const json& o = e["object"];
    const std::string kind = o.value("kind", "");
    if (e.value("type", "") == "DELETED") continue;
    if (kind == "Deployment" || kind == "StatefulSet" || kind == "DaemonSet" || kind == "Rollout") {
      if (RolloutComplete(kind, o))
        rolled_out[rotation::DisplayName(*rotation::KindFromName(kind), e.value("name", ""))].insert(TemplateKeysHash(o));
      continue;
    }
    if (kind != "SigningKeyRotation" || e.value("name", "") != skr) continue;
    const std::string intent = IntentId(o.value("/status/pendingRotation"_json_pointer, json()));
    if (!intent.empty() && intent != last_intent) {
      ++intents;
      const std::string from = At(o, "/status/pendingRotation/fromFingerprint");
      const std::string hash = At(o, "/status/keys/keysHash");
      intents_from.insert(from);
      for (const auto& c : consumers)
        if (!rolled_out[c].count(hash))
          out.push_back("intent #" + std::to_string(intents) + " (from " + from + ", resourceVersion " +
                        e["rv"].dump() + ") was recorded before consumer " + c +
                        " completed a rollout of the keys of that moment " + hash.substr(0, 8));
    }
    last_intent = intent;
  }
  if (static_cast<int>(intents_from.size()) != provider_rotations)
    out.push_back("the provider rotated " + std::to_string(provider_rotations) + " times; keyroll recorded " +
                  std::to_string(intents_from.size()) + " distinct intents (" + std::to_string(intents) + " in all)");
  return out;
}

}  // namespace keyroll::testing
