#include "tests/support/gate_oracle.h"

#include <map>
#include <set>

#include "operator/rotation/workload.h"
#include "tests/support/e2e_workloads.h"

namespace keyroll::testing {
namespace {

using nlohmann::json;

std::string At(const json& o, const std::string& pointer) {
  const json v = o.value(json::json_pointer(pointer), json());
  return v.is_string() ? v.get<std::string>() : "";
}

// Where an intent of each kind is recorded, what tells one from another, and how it is named.
struct IntentShape {
  std::string pointer;       // the intent in the resource
  std::string distinct_by;   // its field that names the provider write
  std::string keys_hash;     // the keys every consumer must have rolled out before it
  std::string name, label, verb;
};

IntentShape ShapeOf(GateIntent intent) {
  if (intent == GateIntent::kRevocation)
    return {"/status/pendingRevocation", "kid", "/status/pendingRevocation/keysHash", "revocation intent", "kid",
            "revoked"};
  return {"/status/pendingRotation", "fromFingerprint", "/status/keys/keysHash", "intent", "from", "rotated"};
}

}  // namespace

std::vector<std::string> GateViolationsInServerOrder(const json& journal, const std::string& skr,
                                                     const std::vector<std::string>& consumers, int provider_count,
                                                     GateIntent kind) {
  const IntentShape shape = ShapeOf(kind);
  std::vector<std::string> out;
  if (journal.value("dropped", 0) > 0)
    out.push_back("the journal dropped " + journal["dropped"].dump() + " old writes: the order cannot be judged");
  std::map<std::string, std::set<std::string>> rolled_out;  // consumer -> keysHashes of complete rollouts
  std::set<std::string> distinct;
  std::string last_intent;
  int intents = 0;
  for (const auto& e : journal.value("entries", json::array())) {
    const json& o = e["object"];
    const std::string kind_name = o.value("kind", "");
    if (e.value("type", "") == "DELETED") continue;
    if (kind_name == "Deployment" || kind_name == "StatefulSet" || kind_name == "DaemonSet" || kind_name == "Rollout") {
      if (RolloutComplete(kind_name, o))
        rolled_out[rotation::DisplayName(*rotation::KindFromName(kind_name), e.value("name", ""))].insert(
            TemplateKeysHash(o));
      continue;
    }
    if (kind_name != "SigningKeyRotation" || e.value("name", "") != skr) continue;
    // An intent is told from the previous one by when it started and the write it names.
    const json pending = o.value(json::json_pointer(shape.pointer), json());
    const std::string intent =
        pending.is_object() ? pending.value("startedAt", "") + "/" + pending.value(shape.distinct_by, "") : "";
    if (!intent.empty() && intent != last_intent) {
      ++intents;
      const std::string id = At(o, shape.pointer + "/" + shape.distinct_by);
      const std::string hash = At(o, shape.keys_hash);
      distinct.insert(id);
      for (const auto& c : consumers)
        if (!rolled_out[c].count(hash))
          out.push_back(shape.name + " #" + std::to_string(intents) + " (" + shape.label + " " + id +
                        ", resourceVersion " + e["rv"].dump() + ") was recorded before consumer " + c +
                        " completed a rollout of the keys of that moment " + hash.substr(0, 8));
    }
    last_intent = intent;
  }
  if (static_cast<int>(distinct.size()) != provider_count)
    out.push_back("the provider " + shape.verb + " " + std::to_string(provider_count) + " times; keyroll recorded " +
                  std::to_string(distinct.size()) + " distinct " + shape.name + "s (" + std::to_string(intents) +
                  " in all)");
  return out;
}

}  // namespace keyroll::testing
