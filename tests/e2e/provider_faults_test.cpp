// Scenario 4: the provider misbehaves around the rotate call. Rotate-then-drop (the fake
// rotates, then cuts the connection without answering) must not lead to a second rotation:
// keyroll reads the keys back, sees the rotation happened and finishes it. A rotate that fails
// before rotating (503) is not retried blindly, and the request is not dropped: exactly one
// rotation in the end. Either way the Secret ends equal to the provider's keys.
#include <gtest/gtest.h>

#include "tests/support/e2e_environment.h"
#include "tests/support/wait.h"

namespace keyroll::testing {
namespace {
namespace KEYROLL_UNITY_ID {

constexpr const char* kSecret = "qstash-signing-keys";

void RunRotationUnderFault(fakes::Fault fault) {
  E2EEnvironment env;
  env.CreateDeployment(MakeDeployment("api", kSecret, SecretUse::kEnvFrom));
  env.CreateSkr(MakeQStashSkr("payments", env.qstash_url(), kSecret, {"api"}));
  json skr = env.WaitSkr("payments", IsReadyAndSynced);
  ASSERT_TRUE(IsReadyAndSynced(skr)) << ConditionSummary(skr);
  auto before = env.account();

  env.qstash().InjectFault(fault);
  RequestRotation(env.kube(), env.ns(), "payments", "r1");
  skr = env.WaitSkr("payments", [](const json& s) {
    return IsReadyAndSynced(s) && StrAt(s, "/status/lastHandledRequestID") == "r1" &&
           !s["status"].contains("pendingRotation");
  }, std::chrono::seconds(40));
  ASSERT_TRUE(IsReadyAndSynced(skr)) << ConditionSummary(skr);
  auto after = env.account();
  EXPECT_EQ(after.rotations, 1);
  EXPECT_TRUE(after.current == before.next);
  EXPECT_TRUE(env.SecretMatchesProvider(kSecret));
  EXPECT_EQ(skr["status"]["rotationCount"], 1);
  EXPECT_EQ(env.FindLeaks(), std::vector<std::string>{});
  KEYROLL_EXPECT_GATE_HELD(env, "payments", env.account().rotations, "api");
}

TEST(E2EProviderFaults, RotateThenDropRotatesExactlyOnce) {
  KEYROLL_E2E_REQUIRE_OPERATOR();
  fakes::Fault f;
  f.kind = fakes::FaultKind::kDropAfter;
  f.op = fakes::FaultOp::kRotate;
  RunRotationUnderFault(f);
}

TEST(E2EProviderFaults, RotateAnsweredWithGarbageAfterRotatingRotatesExactlyOnce) {
  KEYROLL_E2E_REQUIRE_OPERATOR();
  fakes::Fault f;
  f.kind = fakes::FaultKind::kNonJson;
  f.op = fakes::FaultOp::kRotate;
  RunRotationUnderFault(f);
}

// A 503 does not prove the rotation did not happen, so keyroll keeps the intent and waits
// out kPendingSettle (120 s, no test knob) before the gate decides again. This test checks
// the part that fits in its time budget: no blind retry, the intent and the keys are kept.
TEST(E2EProviderFaults, RotateRefusedWith503IsNotRetriedBlindly) {
  KEYROLL_E2E_REQUIRE_OPERATOR();
  E2EEnvironment env;
  env.CreateDeployment(MakeDeployment("api", kSecret, SecretUse::kEnvFrom));
  env.CreateSkr(MakeQStashSkr("payments", env.qstash_url(), kSecret, {"api"}));
  ASSERT_TRUE(IsReadyAndSynced(env.WaitSkr("payments", IsReadyAndSynced)));
  fakes::Fault f;
  f.kind = fakes::FaultKind::kStatus;
  f.op = fakes::FaultOp::kRotate;
  f.status = 503;
  env.qstash().InjectFault(f);
  RequestRotation(env.kube(), env.ns(), "payments", "r1");
  ASSERT_TRUE(WaitUntil([&] {
    return CountEvents(SkrEvents(env.kube(), env.ns(), "payments"), "RotationFailed") >= 1;
  }));
  json skr = env.WaitSkr("payments", [](const json& s) {
    return HasCondition(s, "RotationAllowed", "False", "RotationPending") && s["status"].contains("pendingRotation");
  });
  ASSERT_TRUE(HasCondition(skr, "RotationAllowed", "False", "RotationPending")) << ConditionSummary(skr);
  EXPECT_EQ(env.account().requests["rotate"], 1);  // one call, not retried
  EXPECT_EQ(env.account().rotations, 0);
  EXPECT_TRUE(env.SecretMatchesProvider(kSecret));
  EXPECT_EQ(env.FindLeaks(), std::vector<std::string>{});
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::testing
