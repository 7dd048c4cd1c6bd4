// Scenario 5: kill -9 the operator at each step of a rotation (KEYROLL_FAILPOINTS), start it
// again without the failpoint, and check the invariants: the Secret equals the provider's
// keys, the provider rotated exactly once, no rotation happened while a consumer was stale,
// every consumer ends on the new keys, and nothing secret reached logs/events/status/metrics.
// The failpoints are armed only after the first sync, so they fire in the rotation. One
// consumer is a StatefulSet whose name sorts first, so during-restarts kills keyroll right
// after the StatefulSet's restart patch, before the Deployments'.
// A crash before the provider answered (after-intent-written, before-rotate, and
// after-status-write, whose first hit is the intent write) leaves an intent that keyroll
// resolves only after kPendingSettle (120 s, no test knob: too long for this suite). For
// those, the test checks the safe part: after the restart the intent is kept, nothing is
// rotated or retried blindly, the Secret still equals the provider's keys.
#include <gtest/gtest.h>

#include "operator/base/fingerprint.h"
#include "tests/support/e2e_environment.h"
#include "tests/support/wait.h"

namespace keyroll::testing {
namespace {
namespace KEYROLL_UNITY_ID {

constexpr const char* kSecret = "qstash-signing-keys";

class E2ECrashRecovery : public ::testing::TestWithParam<std::string> {};

TEST_P(E2ECrashRecovery, KilledMidRotationRecoversWithExactlyOneRotation) {
  KEYROLL_E2E_REQUIRE_OPERATOR();
  const std::string failpoint = GetParam();
  E2EEnvironment env;
  env.CreateDeployment(MakeDeployment("api", kSecret, SecretUse::kEnvFrom));
  env.CreateDeployment(MakeDeployment("worker", kSecret, SecretUse::kVolume));
  env.CreateWorkload(MakeStatefulSet("accounts", kSecret, SecretUse::kEnvFrom));
  json skr = MakeQStashSkr("payments", env.qstash_url(), kSecret, {"api", "worker", "StatefulSet/accounts"});
  skr["spec"]["consumers"]["maxConcurrentRestarts"] = 3;  // every restart in one reconcile
  env.CreateSkr(skr);
  json got = env.WaitSkr("payments", [](const json& s) {
    return IsReadyAndSynced(s) && StrAt(s, "/status/consumersReady") == "3/3";
  });
  ASSERT_TRUE(IsReadyAndSynced(got)) << ConditionSummary(got);
  auto before = env.account();

  env.keyroll().Restart({{"KEYROLL_FAILPOINTS", failpoint + "=kill"}});
  ASSERT_TRUE(env.keyroll().WaitReady());
  RequestRotation(env.kube(), env.ns(), "payments", "r1");
  ASSERT_TRUE(env.keyroll().WaitExit(std::chrono::seconds(20)))
      << "failpoint " << failpoint << " never fired; log tail:\n" << env.keyroll().CurrentLog();
  EXPECT_NE(env.keyroll().CurrentLog().find(failpoint), std::string::npos) << "the failpoint is not logged";

  // No failpoint now. Where the crash came before the rotate answer, keyroll must learn from a
  // provider read after the settle period that the rotation did not happen, then rotate once;
  // 5 s instead of the default 120 s keeps the test short (nothing was sent that could land late).
  env.StartOperator({{"KEYROLL_PENDING_ROTATION_SETTLE", "5s"}});
  got = env.WaitSkr("payments", [](const json& s) {
    return IsReadyAndSynced(s) && StrAt(s, "/status/lastHandledRequestID") == "r1" &&
           !s["status"].contains("pendingRotation") &&
           StrAt(s, "/status/consumersReady") == "3/3";
  }, std::chrono::seconds(60));
  ASSERT_TRUE(IsReadyAndSynced(got)) << ConditionSummary(got);
  auto after = env.account();
  EXPECT_EQ(after.rotations, 1);
  EXPECT_TRUE(after.current == before.next);
  EXPECT_TRUE(env.SecretMatchesProvider(kSecret));
  EXPECT_EQ(got["status"]["rotationCount"], 1);
  std::string hash = base::KeysHash(after.current, after.next);
  EXPECT_EQ(got["status"]["keys"]["keysHash"], hash);
  for (const char* d : {"api", "worker", "StatefulSet/accounts"}) {
    EXPECT_TRUE(WaitUntil([&] { return env.workloads().LastRolledHash(d) == hash; })) << d;
  }
  EXPECT_EQ(env.FindLeaks(), std::vector<std::string>{});
  KEYROLL_EXPECT_GATE_HELD(env, "payments", env.account().rotations, "api", "worker", "StatefulSet/accounts");
}

INSTANTIATE_TEST_SUITE_P(EveryStep, E2ECrashRecovery,
                         ::testing::Values("after-intent-written", "before-rotate", "after-rotate",
                                           "after-secret-write", "after-status-write", "during-restarts"),
                         [](const auto& info) {
                           std::string n = info.param;
                           for (auto& ch : n) {
                             if (ch == '-') ch = '_';
                           }
                           return n;
                         });

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::testing
