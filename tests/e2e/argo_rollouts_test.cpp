// Scenario 11: Argo Rollouts consumers, and Argo Rollouts being optional. Without its CRD
// nothing fails (no watch errors, no crash loop), and a resource that names a Rollout says
// that Argo Rollouts is not installed. Installed later, keyroll starts watching Rollouts
// without a restart. A Rollout holds the gate like a Deployment; a canary paused for
// promotion is reported as waiting for promotion, not waited on silently.
#include <gtest/gtest.h>

#include "tests/support/e2e_environment.h"
#include "tests/support/wait.h"

namespace keyroll::testing {
namespace {
namespace KEYROLL_UNITY_ID {

constexpr const char* kSecret = "qstash-signing-keys";

std::string ConsumersReason(const json& skr) { return StrAt(FindCondition(skr, "ConsumersUpToDate"), "/reason"); }

std::string TemplateHash(E2EEnvironment& env, const std::string& name) {
  auto r = GetObject(env.kube(), kube::resources::kRollouts, env.ns(), name);
  return r ? r->value("/spec/template/metadata/annotations"_json_pointer, json::object()).value("keyroll.dev/keys-hash", "")
           : "";
}

TEST(E2EArgoRollouts, WithoutTheCrdNothingFailsAndInstallingItLaterNeedsNoRestart) {
  KEYROLL_E2E_REQUIRE_OPERATOR();
  E2EEnvironment env;
  if (!env.cluster().is_fake() && env.kube().List(kube::resources::kRollouts, env.ns()).ok())
    GTEST_SKIP() << "Argo Rollouts is installed on this cluster: the test needs a cluster without it";
  env.CreateDeployment(MakeDeployment("api", kSecret, SecretUse::kEnvFrom));
  env.CreateSkr(MakeQStashSkr("payments", env.qstash_url(), kSecret, {"api", "Rollout/canary"}));
  json skr = env.WaitSkr("payments", [](const json& s) { return ConsumersReason(s) == "ConsumerNotFound"; });
  ASSERT_EQ(ConsumersReason(skr), "ConsumerNotFound") << ConditionSummary(skr);
  const std::string message = StrAt(FindCondition(skr, "ConsumersUpToDate"), "/message");
  EXPECT_NE(message.find("Rollout/canary (Argo Rollouts is not installed"), std::string::npos) << message;

  // Installed later: picked up within the 10 s recheck, by the same process.
  ApplyArgoRolloutsCrd(env.kube(), env.ns());
  env.CreateWorkload(MakeRollout("canary", kSecret, SecretUse::kEnvFrom));
  skr = env.WaitSkr("payments", [](const json& s) {
    return IsReadyAndSynced(s) && StrAt(s, "/status/consumersReady") == "2/2";
  }, std::chrono::seconds(40));
  ASSERT_TRUE(IsReadyAndSynced(skr)) << ConditionSummary(skr);
  EXPECT_EQ(TemplateHash(env, "canary"), StrAt(skr, "/status/keys/keysHash"));
  EXPECT_TRUE(env.keyroll().running());
  EXPECT_EQ(env.keyroll().log_paths().size(), 1u) << "keyroll was started more than once";
  for (const auto& line : env.keyroll().LogLinesWith("rollouts")) {
    EXPECT_EQ(line.find("\"level\":\"warn"), std::string::npos) << line;
    EXPECT_EQ(line.find("\"level\":\"error"), std::string::npos) << line;
  }
  EXPECT_FALSE(env.keyroll().LogLinesWith("is not served").empty()) << "says once that Rollouts are not served";
}

TEST(E2EArgoRollouts, ARolloutHoldsTheGateAndAPausedCanaryWaitsForPromotion) {
  KEYROLL_E2E_REQUIRE_OPERATOR();
  E2EOptions options;
  options.start_operator = false;  // Argo Rollouts is there from keyroll's start
  E2EEnvironment env(options);
  KEYROLL_SKIP_UNLESS_SIMULATED_ROLLOUTS(env, "a canary paused for promotion (PauseForPromotion)");
  ApplyArgoRolloutsCrd(env.kube(), env.ns());
  env.StartOperator();
  env.CreateDeployment(MakeDeployment("api", kSecret, SecretUse::kEnvFrom));
  env.CreateWorkload(MakeRollout("canary", kSecret, SecretUse::kVolume));
  ASSERT_TRUE(WaitUntil([&] { return env.workloads().Rollouts().size() == 2; }));
  json resource = MakeQStashSkr("payments", env.qstash_url(), kSecret, {"Rollout/canary"});  // api: discovered
  resource["spec"]["consumers"]["maxConcurrentRestarts"] = 2;
  env.CreateSkr(resource);
  json skr = env.WaitSkr("payments", [](const json& s) {
    return IsReadyAndSynced(s) && StrAt(s, "/status/consumersReady") == "2/2";
  });
  ASSERT_TRUE(IsReadyAndSynced(skr)) << ConditionSummary(skr);

  // The next restart of the canary stops at its pause step.
  env.workloads().PauseForPromotion("Rollout/canary");
  RequestRotation(env.kube(), env.ns(), "payments", "r1");
  skr = env.WaitSkr("payments", [](const json& s) {
    return StrAt(s, "/status/lastHandledRequestID") == "r1" && ConsumersReason(s) == "ConsumerCannotComplete";
  }, std::chrono::seconds(30));
  ASSERT_EQ(ConsumersReason(skr), "ConsumerCannotComplete") << ConditionSummary(skr);
  const std::string message = StrAt(FindCondition(skr, "ConsumersUpToDate"), "/message");
  EXPECT_NE(message.find("Rollout/canary (rollout paused (CanaryPauseStep)"), std::string::npos) << message;
  EXPECT_NE(message.find("kubectl argo rollouts promote canary"), std::string::npos) << message;
  EXPECT_EQ(env.account().rotations, 1);
  RequestRotation(env.kube(), env.ns(), "payments", "r2");
  skr = env.WaitSkr("payments", [](const json& s) {
    json c = FindCondition(s, "RotationAllowed");
    return StrAt(c, "/reason") == "ConsumerCannotComplete" && StrAt(c, "/message").find("rotation due") != std::string::npos;
  });
  EXPECT_EQ(env.account().rotations, 1) << "never rotates past a paused canary";

  env.workloads().Promote("Rollout/canary");
  skr = env.WaitSkr("payments", [](const json& s) {
    return IsReadyAndSynced(s) && StrAt(s, "/status/lastHandledRequestID") == "r2";
  }, std::chrono::seconds(30));
  ASSERT_TRUE(IsReadyAndSynced(skr)) << ConditionSummary(skr);
  EXPECT_EQ(env.account().rotations, 2);
  EXPECT_EQ(env.FindLeaks(), std::vector<std::string>{});
  KEYROLL_EXPECT_GATE_HELD(env, "payments", env.account().rotations, "api", "Rollout/canary");
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::testing
