// Auth0 rotations end to end: the consumer gate holds a requested rotation while a consumer
// is stale and lets exactly one through once it rolled out; a rotation made in the Auth0
// console is synced within one refreshInterval; rotation.revokePrevious revokes the previous
// key only after every consumer holds the keys written after the rotation, and the Secret's
// jwks.json then loses it. Secrecy scan after each.
#include <gtest/gtest.h>

#include "operator/base/fingerprint.h"
#include "tests/support/e2e_environment.h"
#include "tests/support/wait.h"

namespace keyroll::testing {
namespace {
namespace KEYROLL_UNITY_ID {

constexpr const char* kSecret = "auth0-signing-certs";

E2EOptions WithAuth0() {
  E2EOptions o;
  o.auth0 = true;
  return o;
}

bool RotationBlockedBy(const json& skr, const std::string& consumer) {
  json c = FindCondition(skr, "RotationAllowed");
  return c.is_object() && StrAt(c, "/status") == "False" && StrAt(c, "/message").find(consumer) != std::string::npos;
}

TEST(E2EAuth0Rotation, StaleConsumerHoldsTheRotationThenExactlyOneHappens) {
  KEYROLL_E2E_REQUIRE_OPERATOR();
  E2EEnvironment env(WithAuth0());
  KEYROLL_SKIP_UNLESS_SIMULATED_ROLLOUTS(env, "a rollout held back (Hold)");
  auto& tenant = env.auth0();
  env.CreateDeployment(MakeDeployment("api", kSecret, SecretUse::kEnvFrom));
  env.CreateDeployment(MakeDeployment("web", kSecret, SecretUse::kVolume));
  ASSERT_TRUE(WaitUntil([&] { return env.workloads().Rollouts().size() == 2; }));
  env.workloads().Hold("api");
  json resource = tenant.MakeSkr("tenant", kSecret, {"api", "web"});
  resource["spec"]["consumers"]["maxConcurrentRestarts"] = 2;
  env.CreateSkr(resource);
  json skr = env.WaitSkr("tenant", [](const json& s) { return HasCondition(s, "KeysSynced", "True"); },
                         std::chrono::seconds(30));
  ASSERT_TRUE(HasCondition(skr, "KeysSynced", "True")) << ConditionSummary(skr);
  auto before = tenant.state();

  RequestRotation(env.kube(), env.ns(), "tenant", "r1");
  skr = env.WaitSkr("tenant", [](const json& s) {
    return RotationBlockedBy(s, "api") && StrAt(s, "/status/consumersReady") == "1/2";
  });
  ASSERT_TRUE(RotationBlockedBy(skr, "api")) << ConditionSummary(skr);
  EXPECT_EQ(StrAt(FindCondition(skr, "RotationAllowed"), "/reason"), "ConsumerStale");
  EXPECT_EQ(tenant.state().rotations, 0);

  env.workloads().Release("api");
  skr = env.WaitSkr("tenant", [](const json& s) {
    return IsReadyAndSynced(s) && StrAt(s, "/status/lastHandledRequestID") == "r1" &&
           StrAt(s, "/status/consumersReady") == "2/2";
  }, std::chrono::seconds(40));
  ASSERT_TRUE(IsReadyAndSynced(skr)) << ConditionSummary(skr);
  auto after = tenant.state();
  EXPECT_EQ(after.rotations, 1);
  EXPECT_EQ(after.current_kid, before.next_kid);  // next became current
  EXPECT_EQ(after.previous_kid, before.current_kid);
  EXPECT_EQ(tenant.SecretDiff(env.SecretData(kSecret)), "");
  EXPECT_EQ(Auth0Tenant::JwksKids(*env.SecretData(kSecret)),
            (std::set<std::string>{after.current_kid, after.next_kid, after.previous_kid}));
  EXPECT_EQ(StrAt(skr, "/status/keys/currentKid"), after.current_kid);
  EXPECT_EQ(StrAt(skr, "/status/keys/previousKid"), after.previous_kid);
  EXPECT_EQ(skr["status"]["rotationCount"], 1);
  std::string hash = tenant.KeysHash();
  for (const char* d : {"api", "web"})
    EXPECT_TRUE(WaitUntil([&] { return env.workloads().LastRolledHash(d) == hash; })) << d;
  EXPECT_EQ(CountEvents(SkrEvents(env.kube(), env.ns(), "tenant"), "Rotated"), 1);
  EXPECT_EQ(tenant.state().revocations, 0);  // revokePrevious is off
  EXPECT_EQ(env.FindLeaks(), std::vector<std::string>{});
  KEYROLL_EXPECT_GATE_HELD(env, "tenant", tenant.state().rotations, "api", "web");
}

TEST(E2EAuth0Rotation, ConsoleRotationIsSyncedWithinOneRefreshInterval) {
  KEYROLL_E2E_REQUIRE_OPERATOR();
  E2EEnvironment env(WithAuth0());
  auto& tenant = env.auth0();
  env.CreateDeployment(MakeDeployment("api", kSecret, SecretUse::kEnvFrom));
  env.CreateSkr(tenant.MakeSkr("tenant", kSecret, {"api"}));
  ASSERT_TRUE(IsReadyAndSynced(env.WaitSkr("tenant", IsReadyAndSynced, std::chrono::seconds(30))));

  ASSERT_TRUE(tenant.fake().ConsoleRotate());
  auto state = tenant.state();
  ASSERT_TRUE(WaitUntil([&] { return tenant.SecretDiff(env.SecretData(kSecret)).empty(); },
                        std::chrono::seconds(25), std::chrono::milliseconds(100)))
      << tenant.SecretDiff(env.SecretData(kSecret));
  json skr = env.WaitSkr("tenant", [&](const json& s) {
    return IsReadyAndSynced(s) && StrAt(s, "/status/keys/currentKid") == state.current_kid;
  });
  ASSERT_TRUE(IsReadyAndSynced(skr)) << ConditionSummary(skr);
  std::string hash = tenant.KeysHash();
  EXPECT_EQ(StrAt(skr, "/status/keys/keysHash"), hash);
  EXPECT_TRUE(WaitUntil([&] { return env.workloads().LastRolledHash("api") == hash; }));
  EXPECT_GE(CountEvents(SkrEvents(env.kube(), env.ns(), "tenant"), "OutOfBandRotation"), 1);
  EXPECT_EQ(tenant.state().rotations, 1);  // only the console's
  EXPECT_EQ(env.FindLeaks(), std::vector<std::string>{});
}

TEST(E2EAuth0Rotation, RevokePreviousWaitsForEveryConsumerThenJwksLosesThePreviousKey) {
  KEYROLL_E2E_REQUIRE_OPERATOR();
  E2EEnvironment env(WithAuth0());
  KEYROLL_SKIP_UNLESS_SIMULATED_ROLLOUTS(env, "a rollout held back (Hold)");
  auto& tenant = env.auth0();
  env.CreateDeployment(MakeDeployment("api", kSecret, SecretUse::kVolume));
  json resource = tenant.MakeSkr("tenant", kSecret, {"api"});
  resource["spec"]["rotation"]["revokePrevious"] = true;
  env.CreateSkr(resource);
  ASSERT_TRUE(IsReadyAndSynced(env.WaitSkr("tenant", [](const json& s) {
    return IsReadyAndSynced(s) && StrAt(s, "/status/consumersReady") == "1/1";
  }, std::chrono::seconds(30))));

  // api will not finish the rollout of the keys written after the rotation.
  env.workloads().Hold("api");
  RequestRotation(env.kube(), env.ns(), "tenant", "r1");
  ASSERT_TRUE(WaitUntil([&] { return tenant.state().rotations == 1; }, std::chrono::seconds(20)));
  auto rotated = tenant.state();
  ASSERT_FALSE(rotated.previous_kid.empty());
  json skr = env.WaitSkr("tenant", [&](const json& s) {
    return StrAt(s, "/status/keys/previousKid") == rotated.previous_kid &&
           StrAt(s, "/status/consumersReady") == "0/1";
  });
  ASSERT_EQ(StrAt(skr, "/status/keys/previousKid"), rotated.previous_kid) << ConditionSummary(skr);
  // More than one refreshInterval with api stale: the previous key stays.
  std::this_thread::sleep_for(std::chrono::seconds(12));
  EXPECT_EQ(tenant.state().revocations, 0) << "revoked while a consumer was stale";
  EXPECT_EQ(tenant.state().previous_kid, rotated.previous_kid);
  EXPECT_EQ(Auth0Tenant::JwksKids(*env.SecretData(kSecret)).count(rotated.previous_kid), 1u);

  env.workloads().Release("api");
  ASSERT_TRUE(WaitUntil([&] { return tenant.state().revocations == 1; }, std::chrono::seconds(30)));
  skr = env.WaitSkr("tenant", [](const json& s) {
    return IsReadyAndSynced(s) && StrAt(s, "/status/keys/previousKid").empty() &&
           s["status"]["keys"].contains("currentKid");
  }, std::chrono::seconds(20));
  ASSERT_TRUE(IsReadyAndSynced(skr)) << ConditionSummary(skr);
  auto done = tenant.state();
  EXPECT_EQ(done.previous_kid, "");
  EXPECT_EQ(done.rotations, 1);
  EXPECT_TRUE(WaitUntil([&] { return tenant.SecretDiff(env.SecretData(kSecret)).empty(); }))
      << tenant.SecretDiff(env.SecretData(kSecret));
  EXPECT_EQ(Auth0Tenant::JwksKids(*env.SecretData(kSecret)),
            (std::set<std::string>{done.current_kid, done.next_kid}));
  EXPECT_EQ(CountEvents(SkrEvents(env.kube(), env.ns(), "tenant"), "PreviousKeyRevoked"), 1);
  EXPECT_NE(env.keyroll().Metrics().body.find("keyroll_revocations_total{result=\"succeeded\"} 1"),
            std::string::npos);
  EXPECT_EQ(env.FindLeaks(), std::vector<std::string>{});
  // In the API server's order: the rotation and the revocation each came after api completed the
  // rollout of the keys of that moment, and each was recorded as an intent before it was made.
  KEYROLL_EXPECT_GATE_HELD(env, "tenant", done.rotations, "api");
  KEYROLL_EXPECT_REVOCATION_GATE_HELD(env, "tenant", done.revocations, "api");
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::testing
