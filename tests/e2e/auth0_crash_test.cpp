// Auth0 crash safety: kill -9 the operator at each step of a rotation (and right before and
// right after the revocation of the previous key, its intent status.pendingRevocation on
// record), start it again, and check the invariants: the Secret equals what the tenant has
// (certificates and jwks.json), the tenant rotated (and revoked) exactly once, neither while a
// consumer was stale (judged in the API server's order), every consumer ends on the new keys,
// nothing secret in logs/events/status/metrics.
#include <gtest/gtest.h>

#include "tests/support/e2e_environment.h"
#include "tests/support/wait.h"

namespace keyroll::testing {
namespace {
namespace KEYROLL_UNITY_ID {

constexpr const char* kSecret = "auth0-signing-certs";

class E2EAuth0CrashRecovery : public ::testing::TestWithParam<std::string> {};

TEST_P(E2EAuth0CrashRecovery, KilledMidRotationRecoversWithExactlyOneRotation) {
  KEYROLL_E2E_REQUIRE_OPERATOR();
  const std::string failpoint = GetParam();
  E2EOptions options;
  options.auth0 = true;
  E2EEnvironment env(options);
  auto& tenant = env.auth0();
  env.CreateDeployment(MakeDeployment("api", kSecret, SecretUse::kEnvFrom));
  env.CreateDeployment(MakeDeployment("worker", kSecret, SecretUse::kVolume));
  json skr = tenant.MakeSkr("tenant", kSecret, {"api", "worker"});
  skr["spec"]["consumers"]["maxConcurrentRestarts"] = 2;
  const bool revoke = failpoint == "after-revoke" || failpoint == "before-revoke";
  if (revoke) skr["spec"]["rotation"]["revokePrevious"] = true;
  env.CreateSkr(skr);
  json got = env.WaitSkr("tenant", [](const json& s) {
    return IsReadyAndSynced(s) && StrAt(s, "/status/consumersReady") == "2/2";
  }, std::chrono::seconds(30));
  ASSERT_TRUE(IsReadyAndSynced(got)) << ConditionSummary(got);
  auto before = tenant.state();

  env.keyroll().Restart({{"KEYROLL_FAILPOINTS", failpoint + "=kill"}});
  ASSERT_TRUE(env.keyroll().WaitReady());
  RequestRotation(env.kube(), env.ns(), "tenant", "r1");
  ASSERT_TRUE(env.keyroll().WaitExit(std::chrono::seconds(40)))
      << "failpoint " << failpoint << " never fired; log tail:\n" << env.keyroll().CurrentLog();

  if (revoke) {
    // Killed just before or just after the call: its intent landed on the API server first,
    // naming the key (the one current before the rotation) and the keys the consumers held.
    json killed = env.Skr("tenant");
    EXPECT_EQ(StrAt(killed, "/status/pendingRevocation/kid"), before.current_kid) << killed["status"].dump();
    EXPECT_EQ(StrAt(killed, "/status/pendingRevocation/keysHash"), StrAt(killed, "/status/keys/keysHash"));
    EXPECT_EQ(tenant.state().revocations, failpoint == "after-revoke" ? 1 : 0);
  }

  env.StartOperator({{"KEYROLL_PENDING_ROTATION_SETTLE", "5s"}});
  got = env.WaitSkr("tenant", [&](const json& s) {
    return IsReadyAndSynced(s) && StrAt(s, "/status/lastHandledRequestID") == "r1" &&
           !s["status"].contains("pendingRotation") && !s["status"].contains("pendingRevocation") &&
           StrAt(s, "/status/consumersReady") == "2/2" && (!revoke || StrAt(s, "/status/keys/previousKid").empty());
  }, std::chrono::seconds(60));
  ASSERT_TRUE(IsReadyAndSynced(got)) << ConditionSummary(got);
  auto after = tenant.state();
  EXPECT_EQ(after.rotations, 1);
  EXPECT_EQ(after.current_kid, before.next_kid);
  EXPECT_EQ(after.revocations, revoke ? 1 : 0);
  if (revoke) {
    // The restarted keyroll resolved the intent (found the key revoked, or revoked it after a
    // fresh read) and counts the revocation as done, once; the event says it was keyroll's.
    EXPECT_NE(env.keyroll().Metrics().body.find("keyroll_revocations_total{result=\"succeeded\"} 1"),
              std::string::npos);
    auto events = SkrEvents(env.kube(), env.ns(), "tenant");
    EXPECT_EQ(CountEvents(events, "PreviousKeyRevoked"), 1);
    EXPECT_EQ(CountEvents(events, "RevocationNotApplied"), 0);
  }
  EXPECT_TRUE(WaitUntil([&] { return tenant.SecretDiff(env.SecretData(kSecret)).empty(); }))
      << tenant.SecretDiff(env.SecretData(kSecret));
  EXPECT_EQ(got["status"]["rotationCount"], 1);
  std::string hash = tenant.KeysHash();
  EXPECT_EQ(StrAt(got, "/status/keys/keysHash"), hash);
  for (const char* d : {"api", "worker"})
    EXPECT_TRUE(WaitUntil([&] { return env.workloads().LastRolledHash(d) == hash; })) << d;
  EXPECT_EQ(env.FindLeaks(), std::vector<std::string>{});
  KEYROLL_EXPECT_GATE_HELD(env, "tenant", tenant.state().rotations, "api", "worker");
  // The revocation (with revokePrevious; none otherwise) was recorded as an intent once every
  // consumer ran the keys of that moment, and the tenant revoked once per distinct intent: a
  // crash before the call leaves an intent that is recorded again, one after it an intent found
  // resolved; neither revokes twice.
  KEYROLL_EXPECT_REVOCATION_GATE_HELD(env, "tenant", tenant.state().revocations, "api", "worker");
}

INSTANTIATE_TEST_SUITE_P(EveryStep, E2EAuth0CrashRecovery,
                         ::testing::Values("after-intent-written", "before-rotate", "after-rotate",
                                           "after-secret-write", "after-status-write", "during-restarts",
                                           "before-revoke", "after-revoke"),
                         [](const auto& info) {
                           std::string n = info.param;
                           for (auto& ch : n)
                             if (ch == '-') ch = '_';
                           return n;
                         });

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::testing
