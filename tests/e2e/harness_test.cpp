// The e2e harness itself, without the operator: CRD applied and served, the Table view,
// the simulated deployment controller (complete, hold, fail), the gate oracle judging the
// fake's write journal (rotations and revocations), and the SecrecyScanner finding planted
// leaks (plain and base64).
#include <gtest/gtest.h>

#include "operator/base/encoding.h"
#include "operator/base/fingerprint.h"
#include "tests/support/e2e_environment.h"
#include "tests/support/wait.h"

namespace keyroll::testing {
namespace {
namespace KEYROLL_UNITY_ID {

E2EOptions NoOperator() {
  E2EOptions o;
  o.start_operator = false;
  return o;
}

TEST(E2EHarness, CrdIsServedAndTableShowsPrinterColumns) {
  E2EEnvironment env(NoOperator());
  env.CreateSkr(MakeQStashSkr("payments", env.qstash_url(), "keys"));
  auto row = TableRow(GetSkrTable(env.kube(), env.ns(), "payments"));
  EXPECT_EQ(row["Name"], "payments");
  for (const char* col : {"Phase", "Current", "Next", "Consumers"}) EXPECT_TRUE(row.count(col)) << col;
}

TEST(E2EHarness, SimulatorCompletesHoldsAndFailsRollouts) {
  E2EEnvironment env(NoOperator());
  KEYROLL_SKIP_UNLESS_SIMULATED_ROLLOUTS(env, "the simulator's Hold and Fail");
  env.CreateDeployment(MakeDeployment("api", "keys", SecretUse::kEnvFrom));
  ASSERT_TRUE(WaitUntil([&] { return env.workloads().RolloutsOf("api").size() == 1; }));
  auto d = *GetObject(env.kube(), kube::resources::kDeployments, env.ns(), "api");
  EXPECT_EQ(d["status"]["observedGeneration"], d["metadata"]["generation"]);
  EXPECT_EQ(d["status"]["updatedReplicas"], 2);

  env.workloads().Hold("api");
  json bump = {{"spec", {{"template", {{"metadata", {{"annotations", {{"keyroll.dev/keys-hash", "h2"}}}}}}}}}};
  ASSERT_TRUE(env.kube().MergePatch(kube::resources::kDeployments, env.ns(), "api", bump).ok());
  ASSERT_TRUE(WaitUntil([&] { return env.workloads().PendingCount("api") == 1; }));
  EXPECT_EQ(env.workloads().RolloutsOf("api").size(), 1u);  // held: still one
  env.workloads().Release("api");
  ASSERT_TRUE(WaitUntil([&] { return env.workloads().LastRolledHash("api") == "h2"; }));

  env.workloads().Fail("api");
  bump["spec"]["template"]["metadata"]["annotations"]["keyroll.dev/keys-hash"] = "h3";
  ASSERT_TRUE(env.kube().MergePatch(kube::resources::kDeployments, env.ns(), "api", bump).ok());
  ASSERT_TRUE(WaitUntil([&] {
    auto got = GetObject(env.kube(), kube::resources::kDeployments, env.ns(), "api");
    for (const auto& c : got->value("/status/conditions"_json_pointer, json::array())) {
      if (c["type"] == "Progressing" && c["reason"] == "ProgressDeadlineExceeded") return true;
    }
    return false;
  }));
  EXPECT_EQ(env.workloads().LastRolledHash("api"), "h2");  // a failed rollout is not recorded
}

// The gate oracle's scene: Deployment "api" (one rollout, of no keys-hash yet) and resource
// "payments", whose status the tests write by hand as keyroll would.
bool CreateApiAndPayments(E2EEnvironment& env) {
  env.CreateDeployment(MakeDeployment("api", "keys", SecretUse::kVolume));
  if (!WaitUntil([&] { return env.workloads().RolloutsOf("api").size() == 1; })) return false;
  env.CreateSkr(MakeQStashSkr("payments", env.qstash_url(), "keys", {"api"}));
  return true;
}

bool PatchPaymentsStatus(E2EEnvironment& env, const json& status) {
  return static_cast<bool>(
      env.kube().MergePatchStatus(kube::resources::kSigningKeyRotations, env.ns(), "payments", {{"status", status}}));
}

// "api" rolls out keys `hash` (the simulator completes it).
bool RollOutApi(E2EEnvironment& env, const std::string& hash) {
  json bump = {{"spec", {{"template", {{"metadata", {{"annotations", {{"keyroll.dev/keys-hash", hash}}}}}}}}}};
  return env.kube().MergePatch(kube::resources::kDeployments, env.ns(), "api", bump) &&
         WaitUntil([&] { return env.workloads().LastRolledHash("api") == hash; });
}

// The gate oracle reads the fake's write journal: an intent (status.pendingRotation) recorded
// before "api" completed a rollout of the keys of that moment is a violation; one recorded after
// is not; and the provider's count must match the distinct intents.
TEST(E2EHarness, JournalJudgesTheGateInTheServersOrder) {
  E2EEnvironment env(NoOperator());
  KEYROLL_SKIP_UNLESS_FAKE(env.cluster(), kGateNeedsJournal);
  ASSERT_TRUE(CreateApiAndPayments(env));
  auto intent = [&](const std::string& at, const std::string& from) {
    ASSERT_TRUE(PatchPaymentsStatus(
        env, {{"keys", {{"keysHash", "h1"}}}, {"pendingRotation", {{"startedAt", at}, {"fromFingerprint", from}}}}));
  };
  intent("2026-01-01T00:00:00Z", "f1");  // "api" runs no keys-hash yet
  auto first = env.GateViolations("payments", {"api"}, 1);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_NE(first[0].find("intent #1 (from f1"), std::string::npos) << first[0];

  // "api" rolls out h1, then a second intent: that one is fine.
  ASSERT_TRUE(RollOutApi(env, "h1"));
  intent("2026-01-01T00:01:00Z", "f2");
  EXPECT_EQ(env.GateViolations("payments", {"api"}, 2), first) << "only the first intent broke the gate";
  EXPECT_TRUE(env.GateViolations("payments", {}, 2).empty());
  auto miscounted = env.GateViolations("payments", {}, 3);
  ASSERT_EQ(miscounted.size(), 1u);
  EXPECT_NE(miscounted[0].find("rotated 3 times; keyroll recorded 2 distinct intents"), std::string::npos)
      << miscounted[0];
}

// The same for Auth0's revocations (status.pendingRevocation): a revocation intent recorded
// before "api" completed a rollout of its keysHash is a violation; the same key recorded again (a
// crash before the call) is one revocation; the tenant's count must match the distinct keys; and
// rotations and revocations are not mistaken for one another.
TEST(E2EHarness, JournalJudgesRevocationsInTheServersOrder) {
  E2EEnvironment env(NoOperator());
  KEYROLL_SKIP_UNLESS_FAKE(env.cluster(), kGateNeedsJournal);
  ASSERT_TRUE(CreateApiAndPayments(env));
  auto intent = [&](const std::string& at, const std::string& kid) {
    ASSERT_TRUE(PatchPaymentsStatus(env, {{"keys", {{"keysHash", "h1"}}},
                                          {"pendingRevocation", {{"kid", kid}, {"startedAt", at}, {"keysHash", "h1"}}}}));
  };
  const auto revocation = GateIntent::kRevocation;
  intent("2026-01-01T00:00:00Z", "kidA");  // "api" runs no keys-hash yet
  auto first = env.GateViolations("payments", {"api"}, 1, revocation);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_NE(first[0].find("revocation intent #1 (kid kidA"), std::string::npos) << first[0];
  EXPECT_TRUE(env.GateViolations("payments", {"api"}, 0).empty()) << "no rotation intent, no rotation";

  // "api" rolls out h1; kidA is recorded again (the call never made), then cleared, then kidB.
  ASSERT_TRUE(RollOutApi(env, "h1"));
  intent("2026-01-01T00:01:00Z", "kidA");
  ASSERT_TRUE(PatchPaymentsStatus(env, {{"pendingRevocation", nullptr}}));
  intent("2026-01-01T00:02:00Z", "kidB");
  EXPECT_EQ(env.GateViolations("payments", {"api"}, 2, revocation), first) << "only the first intent broke the gate";
  auto miscounted = env.GateViolations("payments", {}, 3, revocation);
  ASSERT_EQ(miscounted.size(), 1u);
  EXPECT_NE(miscounted[0].find("revoked 3 times; keyroll recorded 2 distinct revocation intents (3 in all)"),
            std::string::npos)
      << miscounted[0];
}

TEST(E2EHarness, SecrecyScannerFindsPlantedKeysPlainAndBase64) {
  E2EEnvironment env(NoOperator());
  EXPECT_TRUE(env.FindLeaks().empty());  // the token Secret itself is not scanned
  auto acc = env.account();
  json event = {{"apiVersion", "v1"}, {"kind", "Event"}, {"metadata", {{"name", "leak.1"}}},
                {"involvedObject", {{"kind", "SigningKeyRotation"}, {"name", "x"}, {"namespace", env.ns()}}},
                {"reason", "Oops"}, {"message", "key is " + acc.current}, {"type", "Warning"}};
  CreateObject(env.kube(), kube::resources::kEvents, env.ns(), event);
  json cm = {{"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"metadata", {{"name", "leak"}}},
             {"data", {{"k", base::Base64Encode(acc.next)}}}};
  CreateObject(env.kube(), kube::resources::kConfigMaps, env.ns(), cm);
  auto leaks = env.FindLeaks();
  ASSERT_EQ(leaks.size(), 2u);
  EXPECT_NE(leaks[0].find("events/leak.1"), std::string::npos);
  EXPECT_NE(leaks[1].find("(base64)"), std::string::npos);
  for (const auto& l : leaks) EXPECT_EQ(l.find(acc.current), std::string::npos);  // findings never hold keys
  // The planted leaks go before the environment keeps its Events for the whole-suite scan
  // (scripts/secrecy-scan), which must find nothing that keyroll did not put there.
  ASSERT_TRUE(env.kube().Delete(kube::resources::kEvents, env.ns(), "leak.1").ok());
  ASSERT_TRUE(env.kube().Delete(kube::resources::kConfigMaps, env.ns(), "leak").ok());
  EXPECT_TRUE(env.FindLeaks().empty());
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::testing
