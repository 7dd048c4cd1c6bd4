// Scenario 2: a rotation requested while a consumer is stale (its rollout held back) does not
// happen: RotationAllowed=False names the consumer. Once the rollout completes, exactly one
// rotation follows, the Secret has the new keys, consumers restart, and the resource is Ready.
// A failed rollout (ProgressDeadlineExceeded) blocks the same way.
#include <gtest/gtest.h>

#include "operator/base/fingerprint.h"
#include "tests/support/e2e_environment.h"
#include "tests/support/wait.h"

namespace keyroll::testing {
namespace {
namespace KEYROLL_UNITY_ID {

constexpr const char* kSecret = "qstash-signing-keys";

bool RotationBlockedBy(const json& skr, const std::string& consumer) {
  json c = FindCondition(skr, "RotationAllowed");
  return c.is_object() && StrAt(c, "/status") == "False" &&
         StrAt(c, "/message").find(consumer) != std::string::npos;
}

TEST(E2EConsumerGate, StaleConsumerBlocksRotationUntilItsRolloutCompletes) {
  KEYROLL_E2E_REQUIRE_OPERATOR();
  E2EEnvironment env;
  KEYROLL_SKIP_UNLESS_SIMULATED_ROLLOUTS(env, "a rollout held back (Hold)");
  env.CreateDeployment(MakeDeployment("api", kSecret, SecretUse::kEnvFrom));
  env.CreateDeployment(MakeDeployment("web", kSecret, SecretUse::kVolume));
  ASSERT_TRUE(WaitUntil([&] { return env.workloads().Rollouts().size() == 2; }));
  env.workloads().Hold("api");  // api will not finish the restart keyroll is about to ask for
  json resource = MakeQStashSkr("payments", env.qstash_url(), kSecret, {"api", "web"});
  // Budget for both restarts at once (the default, 1, would keep web waiting behind api).
  resource["spec"]["consumers"]["maxConcurrentRestarts"] = 2;
  env.CreateSkr(resource);

  json skr = env.WaitSkr("payments", [](const json& s) {
    return HasCondition(s, "ConsumersUpToDate", "False") && HasCondition(s, "KeysSynced", "True");
  });
  ASSERT_TRUE(HasCondition(skr, "ConsumersUpToDate", "False")) << ConditionSummary(skr);
  RequestRotation(env.kube(), env.ns(), "payments", "r1");
  skr = env.WaitSkr("payments", [](const json& s) {
    return RotationBlockedBy(s, "api") && StrAt(s, "/status/consumersReady") == "1/2";  // web rolled out
  });
  ASSERT_TRUE(RotationBlockedBy(skr, "api")) << ConditionSummary(skr);
  EXPECT_EQ(StrAt(FindCondition(skr, "RotationAllowed"), "/reason"), "ConsumerStale");
  EXPECT_EQ(skr["status"]["phase"], "WaitingForConsumers");
  EXPECT_EQ(StrAt(skr, "/status/consumersReady"), "1/2");
  EXPECT_EQ(env.account().rotations, 0);
  auto before = env.account();

  env.workloads().Release("api");
  skr = env.WaitSkr("payments", [](const json& s) {
    return IsReadyAndSynced(s) && StrAt(s, "/status/lastHandledRequestID") == "r1" &&
           StrAt(s, "/status/consumersReady") == "2/2";
  }, std::chrono::seconds(30));
  ASSERT_TRUE(IsReadyAndSynced(skr)) << ConditionSummary(skr);
  auto after = env.account();
  EXPECT_EQ(after.rotations, 1);
  EXPECT_TRUE(after.current == before.next);  // the old next became current
  EXPECT_TRUE(env.SecretMatchesProvider(kSecret));
  EXPECT_EQ(skr["status"]["rotationCount"], 1);
  std::string hash = base::KeysHash(after.current, after.next);
  EXPECT_EQ(skr["status"]["keys"]["keysHash"], hash);
  for (const char* d : {"api", "web"}) {
    EXPECT_TRUE(WaitUntil([&] { return env.workloads().LastRolledHash(d) == hash; })) << d;
  }
  auto events = SkrEvents(env.kube(), env.ns(), "payments");
  EXPECT_EQ(CountEvents(events, "Rotated"), 1);
  EXPECT_EQ(env.account().rotations, 1);  // and nothing more once Ready
  EXPECT_EQ(env.FindLeaks(), std::vector<std::string>{});
  KEYROLL_EXPECT_GATE_HELD(env, "payments", env.account().rotations, "api", "web");
}

TEST(E2EConsumerGate, FailedRolloutBlocksRotationAndSaysWhy) {
  KEYROLL_E2E_REQUIRE_OPERATOR();
  E2EEnvironment env;
  KEYROLL_SKIP_UNLESS_SIMULATED_ROLLOUTS(env, "a failed rollout (Fail)");
  env.CreateDeployment(MakeDeployment("api", kSecret, SecretUse::kEnvFrom));
  ASSERT_TRUE(WaitUntil([&] { return env.workloads().Rollouts().size() == 1; }));
  env.workloads().Fail("api");
  env.CreateSkr(MakeQStashSkr("payments", env.qstash_url(), kSecret, {"api"}));
  RequestRotation(env.kube(), env.ns(), "payments", "r1");
  json skr = env.WaitSkr("payments", [](const json& s) {
    return RotationBlockedBy(s, "api") &&
           StrAt(FindCondition(s, "RotationAllowed"), "/reason") == "ConsumerRolloutFailed";
  });
  ASSERT_TRUE(RotationBlockedBy(skr, "api")) << ConditionSummary(skr);
  EXPECT_EQ(StrAt(FindCondition(skr, "RotationAllowed"), "/reason"), "ConsumerRolloutFailed");
  EXPECT_EQ(env.account().rotations, 0);
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::testing
