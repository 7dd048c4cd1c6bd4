// Scenario 6: someone rolls the keys in the QStash console. Within one refreshInterval (10s
// here) keyroll notices, writes the new keys to the Secret, says so (OutOfBandRotation event),
// updates the fingerprints and restarts the consumers with the new keys. It does not rotate.
#include <gtest/gtest.h>

#include "operator/base/fingerprint.h"
#include "tests/support/e2e_environment.h"
#include "tests/support/wait.h"

namespace keyroll::testing {
namespace {
namespace KEYROLL_UNITY_ID {

constexpr const char* kSecret = "qstash-signing-keys";

TEST(E2EOutOfBand, ConsoleRotationIsSyncedWithinOneRefreshInterval) {
  KEYROLL_E2E_REQUIRE_OPERATOR();
  E2EEnvironment env;
  env.CreateDeployment(MakeDeployment("api", kSecret, SecretUse::kEnvFrom));
  env.CreateSkr(MakeQStashSkr("payments", env.qstash_url(), kSecret, {"api"}));
  ASSERT_TRUE(IsReadyAndSynced(env.WaitSkr("payments", IsReadyAndSynced)));

  ASSERT_TRUE(env.qstash().ConsoleRotate(env.token()));
  auto acc = env.account();
  // refreshInterval is 10s; allow generous slack on a busy machine.
  ASSERT_TRUE(WaitUntil([&] { return env.SecretMatchesProvider(kSecret); }, std::chrono::seconds(25),
                        std::chrono::milliseconds(100)))
      << "the Secret still holds the old keys";
  json skr = env.WaitSkr("payments", [&](const json& s) {
    return IsReadyAndSynced(s) &&
           StrAt(s, "/status/keys/currentFingerprint") == base::Fingerprint(acc.current);
  });
  ASSERT_TRUE(IsReadyAndSynced(skr)) << ConditionSummary(skr);
  EXPECT_EQ(skr["status"]["keys"]["nextFingerprint"], base::Fingerprint(acc.next));
  std::string hash = base::KeysHash(acc.current, acc.next);
  EXPECT_TRUE(WaitUntil([&] { return env.workloads().LastRolledHash("api") == hash; }));
  EXPECT_GE(CountEvents(SkrEvents(env.kube(), env.ns(), "payments"), "OutOfBandRotation"), 1);
  EXPECT_EQ(env.account().rotations, 1);  // only the console's
  EXPECT_EQ(env.FindLeaks(), std::vector<std::string>{});
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::testing
