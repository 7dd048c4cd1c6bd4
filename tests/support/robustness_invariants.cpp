#include "tests/support/robustness_invariants.h"

#include "operator/base/fingerprint.h"
#include "tests/support/wait.h"

namespace keyroll::testing {
namespace {

std::string ExpectedReady(const RotationLedger& l) {
  return std::to_string(l.consumers.size()) + "/" + std::to_string(l.consumers.size());
}

// The resource-side checks; `why` gets the first one that fails.
bool StatusAgrees(const json& skr, const fakes::FakeAccountState& acc, const RotationLedger& l, std::string* why) {
  auto fail = [&](std::string w) {
    *why = std::move(w);
    return false;
  };
  const json& st = skr.value("status", json::object());
  if (st.contains("pendingRotation")) return fail("status.pendingRotation is still set");
  if (!IsReadyAndSynced(skr)) return fail("not Ready: " + ConditionSummary(skr));
  if (st.value("rotationCount", 0) != l.rotations_due)
    return fail("status.rotationCount is " + std::to_string(st.value("rotationCount", 0)) + ", " +
                std::to_string(l.rotations_due) + " rotations were due");
  if (StrAt(skr, "/status/keys/currentFingerprint") != base::Fingerprint(acc.current) ||
      StrAt(skr, "/status/keys/nextFingerprint") != base::Fingerprint(acc.next) ||
      StrAt(skr, "/status/keys/keysHash") != base::KeysHash(acc.current, acc.next))
    return fail("status.keys does not describe the provider's keys");
  if (StrAt(skr, "/status/lastHandledRequestID") != l.request_id)
    return fail("status.lastHandledRequestID is \"" + StrAt(skr, "/status/lastHandledRequestID") + "\", expected \"" +
                l.request_id + "\"");
  if (StrAt(skr, "/status/lastHandledRotateRequest") != l.rotate_request)
    return fail("status.lastHandledRotateRequest is \"" + StrAt(skr, "/status/lastHandledRotateRequest") +
                "\", expected \"" + l.rotate_request + "\"");
  if (StrAt(skr, "/status/consumersReady") != ExpectedReady(l))
    return fail("status.consumersReady is " + StrAt(skr, "/status/consumersReady"));
  return true;
}

bool ConsumersOnKeys(E2EEnvironment& env, const RotationLedger& l, const std::string& hash, std::string* why) {
  for (const auto& c : l.consumers) {
    if (env.workloads().LastRolledHash(c) != hash) {
      *why = "consumer " + c + " has not rolled out the provider's keys " + hash.substr(0, 8);
      return false;
    }
  }
  return true;
}

}  // namespace

void RotationLedger::ConsoleRotate(E2EEnvironment& env) {
  env.qstash().ConsoleRotate(env.token());
  console_counts.insert(env.account().rotations);
}

bool WaitConverged(E2EEnvironment& env, const RotationLedger& l, std::chrono::milliseconds timeout) {
  return WaitUntil([&] {
    auto got = GetObject(env.kube(), kube::resources::kSigningKeyRotations, env.ns(), l.skr);
    if (!got) return false;
    auto acc = env.account();
    std::string why;
    return env.SecretMatchesProvider(l.secret) && StatusAgrees(*got, acc, l, &why) &&
           ConsumersOnKeys(env, l, base::KeysHash(acc.current, acc.next), &why);
  }, timeout, std::chrono::milliseconds(50));
}

std::vector<std::string> InvariantViolations(E2EEnvironment& env, const RotationLedger& l) {
  std::vector<std::string> out;
  auto acc = env.account();
  if (!env.SecretMatchesProvider(l.secret)) out.push_back("Secret " + l.secret + " does not hold the provider's keys");
  const int api_rotations = acc.rotations - l.console_rotations();
  if (api_rotations != l.rotations_due)
    out.push_back("the provider rotated " + std::to_string(api_rotations) + " times through its API; " +
                  std::to_string(l.rotations_due) + " rotations were due");
  if (env.cluster().is_fake()) {  // elsewhere the test says so (kGateNeedsJournal)
    for (auto& g : GateViolationsInServerOrder(env.cluster().Journal(env.ns()), l.skr, l.consumers, api_rotations))
      out.push_back(std::move(g));
  }
  auto skr = GetObject(env.kube(), kube::resources::kSigningKeyRotations, env.ns(), l.skr);
  std::string why;
  if (!skr) {
    out.push_back("SigningKeyRotation " + l.skr + " is gone");
  } else if (!StatusAgrees(*skr, acc, l, &why)) {
    out.push_back(why);
  }
  if (!ConsumersOnKeys(env, l, base::KeysHash(acc.current, acc.next), &why)) out.push_back(why);
  int rotated_events = CountEvents(SkrEvents(env.kube(), env.ns(), l.skr), "Rotated");
  if (rotated_events > l.rotations_due)
    out.push_back(std::to_string(rotated_events) + " Rotated events for " + std::to_string(l.rotations_due) +
                  " rotations (an event was doubled)");
  if (env.keyroll().running() && env.keyroll().Probe("/healthz").status != 200)
    out.push_back("/healthz does not answer 200");
  return out;
}

nlohmann::json OperatorRequests(TestCluster& cluster) {
  nlohmann::json stats = cluster.Stats();
  nlohmann::json mine = stats["by_user_agent"].value("keyroll", nlohmann::json::object());
  if (!mine.contains("total")) mine = {{"total", 0}, {"by_verb", nlohmann::json::object()}};
  return mine;
}

}  // namespace keyroll::testing
