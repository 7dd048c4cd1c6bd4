// Regressions: behaviour the e2e suite once found missing in the operator, now fixed.
#include <gtest/gtest.h>

#include "tests/support/e2e_environment.h"
#include "tests/support/wait.h"

namespace keyroll::testing {
namespace {
namespace KEYROLL_UNITY_ID {

constexpr const char* kSecret = "qstash-signing-keys";


// The CRD defaults spec.provider.qstash.tokenSecretRef.key to QSTASH_TOKEN; where no API
// server applied the default (the fake has none), keyroll must apply it too, not answer
// InvalidSpec for a resource written as the docs show (`tokenSecretRef: {name: qstash}`).
TEST(E2ERegressions, TokenSecretRefKeyDefaultsToQStashToken) {
  KEYROLL_E2E_REQUIRE_OPERATOR();
  E2EEnvironment env;
  json skr = MakeQStashSkr("payments", env.qstash_url(), kSecret);
  skr["spec"]["provider"]["qstash"]["tokenSecretRef"].erase("key");
  env.CreateSkr(skr);
  json got = env.WaitSkr("payments", IsReadyAndSynced);
  EXPECT_TRUE(IsReadyAndSynced(got)) << ConditionSummary(got);
  EXPECT_TRUE(env.SecretMatchesProvider(kSecret));
}

// A rotation requested while the gate is already closed (a consumer stale since the first
// sync) must still get a RotationBlocked event, so `kubectl describe skr` says why the
// requested rotation waits (RotationAllowed was False/ConsumerStale before and stays so).
TEST(E2ERegressions, RequestWhileGateClosedEmitsRotationBlocked) {
  KEYROLL_E2E_REQUIRE_OPERATOR();
  E2EEnvironment env;
  KEYROLL_SKIP_UNLESS_SIMULATED_ROLLOUTS(env, "a rollout held back (Hold)");
  env.CreateDeployment(MakeDeployment("api", kSecret, SecretUse::kEnvFrom));
  ASSERT_TRUE(WaitUntil([&] { return env.workloads().Rollouts().size() == 1; }));
  env.workloads().Hold("api");
  env.CreateSkr(MakeQStashSkr("payments", env.qstash_url(), kSecret, {"api"}));
  json skr = env.WaitSkr("payments", [](const json& s) { return HasCondition(s, "ConsumersUpToDate", "False"); });
  ASSERT_TRUE(HasCondition(skr, "ConsumersUpToDate", "False")) << ConditionSummary(skr);
  RequestRotation(env.kube(), env.ns(), "payments", "r1");
  EXPECT_TRUE(WaitUntil([&] {
    return CountEvents(SkrEvents(env.kube(), env.ns(), "payments"), "RotationBlocked") >= 1;
  }, std::chrono::seconds(10)));
  EXPECT_EQ(env.account().rotations, 0);
}

// After a crash between the intent write and the rotate call, keyroll waits the settle period
// (120 s by default) before concluding "not applied" and rotating; --pending-rotation-settle
// (env KEYROLL_PENDING_ROTATION_SETTLE) shortens it so the full recovery runs here.
TEST(E2ERegressions, CrashBeforeRotateCompletesTheRequestedRotation) {
  KEYROLL_E2E_REQUIRE_OPERATOR();
  // 5 s instead of 120 s: no rotate request was sent (killed before it), so nothing can land late.
  const std::map<std::string, std::string> settle = {{"KEYROLL_PENDING_ROTATION_SETTLE", "5s"}};
  E2EEnvironment env;
  env.CreateDeployment(MakeDeployment("api", kSecret, SecretUse::kEnvFrom));
  env.CreateSkr(MakeQStashSkr("payments", env.qstash_url(), kSecret, {"api"}));
  ASSERT_TRUE(IsReadyAndSynced(env.WaitSkr("payments", IsReadyAndSynced)));
  env.keyroll().Restart({{"KEYROLL_FAILPOINTS", "before-rotate=kill"}, *settle.begin()});
  ASSERT_TRUE(env.keyroll().WaitReady());
  RequestRotation(env.kube(), env.ns(), "payments", "r1");
  ASSERT_TRUE(env.keyroll().WaitExit());
  env.StartOperator(settle);
  json got = env.WaitSkr("payments", [](const json& s) {
    return IsReadyAndSynced(s) && StrAt(s, "/status/lastHandledRequestID") == "r1";
  }, std::chrono::seconds(180));
  EXPECT_TRUE(IsReadyAndSynced(got)) << ConditionSummary(got);
  EXPECT_EQ(env.account().rotations, 1);
  EXPECT_TRUE(env.SecretMatchesProvider(kSecret));
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::testing
