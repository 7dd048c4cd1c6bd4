// `kubectl keyroll why` agrees with the operator: for every policy of the gate chain
// (operator/rotation/gate.h), a cluster state in which that policy holds the rotation, the
// reason and message the real operator process wrote to RotationAllowed, and the CLI's first
// hold. SecretDiffersFromProvider cannot be held still with the operator running (it writes
// the Secret at once), so that state is built without it and compared with Decide on the
// same observed state, assembled here by hand.
#include <gtest/gtest.h>

#include <functional>
#include <set>
#include <thread>

#include "cli/errors.h"
#include "operator/base/encoding.h"
#include "operator/rotation/conditions.h"
#include "operator/rotation/decide.h"
#include "operator/base/fingerprint.h"
#include "operator/rotation/gate.h"
#include "operator/rotation/parse_spec.h"
#include "operator/rotation/vocabulary.h"
#include "tests/cli/cli_run.h"
#include "tests/support/e2e_environment.h"
#include "tests/support/wait.h"

namespace keyroll::testing {
namespace {
namespace KEYROLL_UNITY_ID {

constexpr const char* kSecret = "qstash-signing-keys";

json FirstHoldOfChain(const json& why) {
  for (const auto& p : why["policies"])
    if (p["result"] == "hold") return p;
  return json();
}

// Waits for the operator's RotationAllowed=False/`reason`, then asks the CLI.
void ExpectWhyAgrees(E2EEnvironment& env, const std::string& name, const std::string& reason) {
  json skr = env.WaitSkr(
      name, [&](const json& s) { return HasCondition(s, "RotationAllowed", "False", reason); },
      std::chrono::seconds(40));
  ASSERT_TRUE(HasCondition(skr, "RotationAllowed", "False", reason)) << ConditionSummary(skr);
  // The operator's message may still move on (a planned restart becomes a rollout in
  // progress): compare with the condition as it is when the CLI looks, a few times at most.
  json op, why;
  CliRun run;
  for (int attempt = 0; attempt < 10; ++attempt) {
    op = FindCondition(env.Skr(name), "RotationAllowed");
    run = RunCli(env.cluster(), {"why", name, "-o", "json"});
    ASSERT_EQ(run.exit_code, cli::kExitOk) << run.output;
    why = run.Json();
    if (why["rotationAllowed"]["message"] == op["message"] &&
        op == FindCondition(env.Skr(name), "RotationAllowed"))
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  EXPECT_EQ(why["firstHold"], reason) << run.output;
  EXPECT_EQ(why["rotationAllowed"]["message"], op["message"]) << run.output;
  json first = FirstHoldOfChain(why);
  EXPECT_EQ(first["reason"], reason) << "the chain's first hold is Decide's: " << run.output;
  CliRun text = RunCli(env.cluster(), {"why", name});
  ASSERT_EQ(text.exit_code, cli::kExitOk) << text.output;
  EXPECT_NE(text.output.find("hold"), std::string::npos) << text.output;
  EXPECT_NE(text.output.find("RotationAllowed=False (" + reason + ")"), std::string::npos) << text.output;
}

void CreateApiAndSkr(E2EEnvironment& env, const json& patch = json::object()) {
  env.CreateDeployment(MakeDeployment("api", kSecret, SecretUse::kEnvFrom));
  json skr = MakeQStashSkr("payments", env.qstash_url(), kSecret, {"api"});
  skr.merge_patch(patch);
  env.CreateSkr(skr);
}

void WaitReady(E2EEnvironment& env) {
  json skr = env.WaitSkr("payments", IsReadyAndSynced);
  if (!IsReadyAndSynced(skr)) throw std::runtime_error("not Ready: " + ConditionSummary(skr));
}

// One state per gate policy: how to reach it, and the resource it holds.
struct HoldCase {
  const char* policy;  // the GateChain() name
  const char* reason;  // the RotationAllowed reason it writes
  std::function<std::string(E2EEnvironment&)> setup;
  const char* steers = nullptr;  // the simulated rollout it steers (Hold, Fail), if any
};

// Names the case in test listings (else gtest prints its bytes into the CTest name).
void PrintTo(const HoldCase& c, std::ostream* out) { *out << c.policy; }

std::vector<HoldCase> EveryPolicy() {
  return {
      {"AccountConflict", "Conflict",
       [](E2EEnvironment& env) {
         CreateApiAndSkr(env);
         WaitReady(env);
         env.CreateSkr(MakeQStashSkr("payments-copy", env.qstash_url(), "other-keys"));
         return std::string("payments-copy");
       }},
      {"Suspended", "Suspended",
       [](E2EEnvironment& env) {
         CreateApiAndSkr(env, {{"spec", {{"rotation", {{"suspend", true}}}}}});
         return std::string("payments");
       }},
      {"ProviderUnavailable", "ProviderError",
       [](E2EEnvironment& env) {
         CreateApiAndSkr(
             env, {{"spec", {{"provider", {{"qstash", {{"tokenSecretRef", {{"name", "absent"}}}}}}}}}});
         return std::string("payments");
       }},
      {"SecretConflict", "SecretConflict",
       [](E2EEnvironment& env) {
         CreateObject(env.kube(), kube::resources::kSecrets, env.ns(),
                      {{"apiVersion", "v1"},
                       {"kind", "Secret"},
                       {"metadata", {{"name", kSecret}}},
                       {"data", {{"other", base::Base64Encode("not keyroll's")}}}});
         CreateApiAndSkr(env);
         return std::string("payments");
       }},
      {"Drift", "Drift",
       [](E2EEnvironment& env) {
         CreateApiAndSkr(env);
         WaitReady(env);
         env.workloads().Hold("api");
         if (!env.qstash().ConsoleRotate(env.token())) throw std::runtime_error("console rotation failed");
         return std::string("payments");
       },
       "a rollout held back (Hold)"},
      {"ConsumerNotFound", "ConsumerNotFound",
       [](E2EEnvironment& env) {
         env.CreateSkr(MakeQStashSkr("payments", env.qstash_url(), kSecret, {"ghost"}));
         return std::string("payments");
       }},
      {"ConsumerRolloutFailed", "ConsumerRolloutFailed",
       [](E2EEnvironment& env) {
         env.workloads().Fail("api");
         CreateApiAndSkr(env);
         return std::string("payments");
       },
       "a failed rollout (Fail)"},
      {"ConsumerCannotComplete", "ConsumerCannotComplete",
       [](E2EEnvironment& env) {
         // Discovered; its pods load new keys only when deleted (updateStrategy OnDelete).
         env.CreateWorkload(MakeStatefulSet("ledger", kSecret, SecretUse::kEnvFrom, 2, "OnDelete"));
         CreateApiAndSkr(env);
         return std::string("payments");
       }},
      {"ConsumerStale", "ConsumerStale",
       [](E2EEnvironment& env) {
         env.workloads().Hold("api");
         CreateApiAndSkr(env);
         return std::string("payments");
       },
       "a rollout held back (Hold)"},
      {"MinIntervalNotElapsed", "MinIntervalNotElapsed",
       [](E2EEnvironment& env) {
         CreateApiAndSkr(env, {{"spec", {{"rotation", {{"minInterval", "1h"}}}}}});
         WaitReady(env);
         RequestRotation(env.kube(), env.ns(), "payments", "r1");
         return std::string("payments");
       }},
  };
}

class CliWhyAgrees : public ::testing::TestWithParam<HoldCase> {};

TEST_P(CliWhyAgrees, WithTheOperatorsRotationAllowed) {
  KEYROLL_E2E_REQUIRE_OPERATOR();
  E2EEnvironment env;
  if (GetParam().steers) {
    KEYROLL_SKIP_UNLESS_SIMULATED_ROLLOUTS(env, GetParam().steers);
  }
  std::string name = GetParam().setup(env);
  ExpectWhyAgrees(env, name, GetParam().reason);
}

INSTANTIATE_TEST_SUITE_P(EveryGatePolicy, CliWhyAgrees, ::testing::ValuesIn(EveryPolicy()),
                         [](const ::testing::TestParamInfo<HoldCase>& info) {
                           return std::string(info.param.policy);
                         });

// The tenth policy (SecretDiffersFromProvider) is held still only without the operator.
TEST(CliWhyAgreesWithDecide, CoversEveryPolicyOfTheChain) {
  std::set<std::string> covered = {"SecretDiffersFromProvider"};
  for (const auto& c : EveryPolicy()) covered.insert(c.policy);
  for (const auto& p : rotation::GateChain()) EXPECT_TRUE(covered.count(std::string(p.name))) << p.name;
}

// Without the operator: status says the provider has keys A/B, the (keyroll-managed) Secret
// holds C/D. Decide on that observed state, built here, is the reference.
// A state the operator would have written: status says the provider holds `a`/`b`; the
// keyroll-managed Secret holds `c`/`d` (with keyroll's labels and annotations).
void WriteHandBuiltState(E2EEnvironment& env, json skr, const std::string& a, const std::string& b,
                         const std::string& c, const std::string& d) {
  const std::string stamp = rotation::FormatTimestamp(
      std::chrono::time_point_cast<rotation::Seconds>(std::chrono::system_clock::now()));
  skr["status"] = {{"observedGeneration", 1},
                   {"phase", "Ready"},
                   {"keys",
                    {{"currentFingerprint", base::Fingerprint(a)},
                     {"nextFingerprint", base::Fingerprint(b)},
                     {"keysHash", base::KeysHash(a, b)},
                     {"syncedAt", stamp}}},
                   {"conditions",
                    {{{"type", "KeysSynced"},
                      {"status", "True"},
                      {"reason", "Synced"},
                      {"message", "synced"},
                      {"lastTransitionTime", stamp},
                      {"observedGeneration", 1}}}}};
  auto written = env.kube().UpdateStatus(kube::resources::kSigningKeyRotations, env.ns(), skr);
  if (!written) throw std::runtime_error(written.error().ToString());
  CreateObject(
      env.kube(), kube::resources::kSecrets, env.ns(),
      {{"apiVersion", "v1"},
       {"kind", "Secret"},
       {"metadata",
        {{"name", kSecret},
         {"labels", {{"app.kubernetes.io/managed-by", "keyroll"}}},
         {"annotations",
          {{"keyroll.dev/owner", "payments"}, {"keyroll.dev/keys-hash", base::KeysHash(c, d)}}}}},
       {"data",
        {{"QSTASH_CURRENT_SIGNING_KEY", base::Base64Encode(c)},
         {"QSTASH_NEXT_SIGNING_KEY", base::Base64Encode(d)}}}});
}

TEST(CliWhyAgreesWithDecide, SecretDiffersFromProvider) {
  KEYROLL_E2E_REQUIRE_OPERATOR();
  E2EEnvironment env(NoOperator());
  json skr = env.CreateSkr(MakeQStashSkr("payments", env.qstash_url(), kSecret));
  const std::string a = "sig_providercurrent", b = "sig_providernext", c = "sig_secretcurrent",
                    d = "sig_secretnext";
  const auto now = std::chrono::time_point_cast<rotation::Seconds>(std::chrono::system_clock::now());
  WriteHandBuiltState(env, skr, a, b, c, d);

  rotation::Observed o;
  o.resource = rotation::ParseResource(env.Skr("payments"));
  o.secret.exists = true;
  o.secret.labels = {{"app.kubernetes.io/managed-by", "keyroll"}};
  o.secret.annotations = {{"keyroll.dev/owner", "payments"},
                          {"keyroll.dev/keys-hash", base::KeysHash(c, d)}};
  o.secret.current_fingerprint = base::Fingerprint(c);
  o.secret.next_fingerprint = base::Fingerprint(d);
  o.secret.keys_hash = base::KeysHash(c, d);
  o.secret.data_fingerprints = {{"QSTASH_CURRENT_SIGNING_KEY", *o.secret.current_fingerprint},
                                {"QSTASH_NEXT_SIGNING_KEY", *o.secret.next_fingerprint}};
  o.provider.read_at = now;
  o.provider.keys =
      rotation::ProviderKeys{base::Fingerprint(a), base::Fingerprint(b), base::KeysHash(a, b)};
  rotation::Plan plan = rotation::Decide(o, now);
  ASSERT_TRUE(plan.status);
  const auto* expected =
      rotation::FindCondition(plan.status->conditions, rotation::vocab::kCondRotationAllowed);
  ASSERT_NE(expected, nullptr);
  ASSERT_EQ(expected->reason, "SecretDiffersFromProvider");

  CliRun run = RunCli(env.cluster(), {"why", "payments", "-o", "json"});
  ASSERT_EQ(run.exit_code, cli::kExitOk) << run.output;
  json why = run.Json();
  EXPECT_EQ(why["firstHold"], expected->reason) << run.output;
  EXPECT_EQ(why["rotationAllowed"]["message"], expected->message) << run.output;
  EXPECT_EQ(FirstHoldOfChain(why)["reason"], expected->reason) << run.output;
  // What keyroll would do next: write the provider's keys to the Secret.
  EXPECT_NE(why["next"].dump().find("update Secret"), std::string::npos) << run.output;
}

// "What keyroll would do next" is Decide's plan: first a consumer restart (the gate holds),
// then, once the consumer runs the keys, the requested rotation.
TEST(CliWhyNext, RestartsAConsumerThenRotatesWhenDue) {
  KEYROLL_E2E_REQUIRE_OPERATOR();
  E2EEnvironment env(NoOperator());  // the simulated deployment controller still runs
  env.CreateDeployment(MakeDeployment("api", kSecret, SecretUse::kEnvFrom));
  json spec = MakeQStashSkr("payments", env.qstash_url(), kSecret, {"api"});
  spec["spec"]["rotation"]["requestID"] = "r-1";  // not handled yet: a rotation is due
  const std::string a = "sig_providercurrent", b = "sig_providernext", hash = base::KeysHash(a, b);
  WriteHandBuiltState(env, env.CreateSkr(spec), a, b, a, b);

  CliRun stale = RunCli(env.cluster(), {"why", "payments", "-o", "json"});
  ASSERT_EQ(stale.exit_code, cli::kExitOk) << stale.output;
  json why = stale.Json();
  EXPECT_EQ(why["firstHold"], "ConsumerStale") << stale.output;
  EXPECT_NE(why["next"].dump().find("restart Deployment \\\"api\\\" to load keys " + hash.substr(0, 8)),
            std::string::npos)
      << stale.output;
  EXPECT_EQ(why["due"]["trigger"], "RequestID") << stale.output;

  // The restart keyroll would make, made by hand; the simulator completes the rollout.
  auto patched = env.kube().MergePatch(
      kube::resources::kDeployments, env.ns(), "api",
      {{"spec", {{"template", {{"metadata", {{"annotations", {{"keyroll.dev/keys-hash", hash}}}}}}}}}});
  ASSERT_TRUE(patched) << patched.error().ToString();
  ASSERT_TRUE(WaitUntil([&] { return env.workloads().LastRolledHash("api") == hash; }));
  CliRun open = RunCli(env.cluster(), {"why", "payments", "-o", "json"});
  ASSERT_EQ(open.exit_code, cli::kExitOk) << open.output;
  why = open.Json();
  EXPECT_EQ(why["rotationAllowed"]["status"], "True") << open.output;
  EXPECT_NE(why["next"].dump().find("rotate: rotating keys: requestID"), std::string::npos) << open.output;
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::testing
