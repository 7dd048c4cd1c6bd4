// Auth0 scenarios without a rotation: the first sync (certificates as canonical PEM, jwks.json,
// kids and fingerprints in the status, printer columns, auth0 provider metrics, a quiet steady
// state), and the failures a user must be able to read: a client lacking create:signing_keys
// (the condition names the scope, nothing is destroyed), the 5-a-day rotation limit (said
// plainly, never retried), and a missing client Secret. Every scenario runs the secrecy scan
// over the client secrets, management tokens and private keys.
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

bool ConditionSays(const json& skr, const std::string& type, const std::string& fragment) {
  json c = FindCondition(skr, type);
  return c.is_object() && StrAt(c, "/message").find(fragment) != std::string::npos;
}

TEST(E2EAuth0Sync, SecretHoldsCertificatesAndJwksAndStatusShowsKids) {
  KEYROLL_E2E_REQUIRE_OPERATOR();
  E2EEnvironment env(WithAuth0());
  auto& tenant = env.auth0();
  env.CreateDeployment(MakeDeployment("api", kSecret, SecretUse::kVolume));
  env.CreateSkr(tenant.MakeSkr("tenant", kSecret, {"api"}));

  json skr = env.WaitSkr("tenant", [](const json& s) {
    return IsReadyAndSynced(s) && StrAt(s, "/status/consumersReady") == "1/1";
  }, std::chrono::seconds(30));
  ASSERT_TRUE(IsReadyAndSynced(skr)) << ConditionSummary(skr);
  auto state = tenant.state();
  EXPECT_EQ(state.rotations, 0);
  EXPECT_EQ(tenant.SecretDiff(env.SecretData(kSecret)), "");
  auto data = *env.SecretData(kSecret);
  EXPECT_EQ(data["AUTH0_CURRENT_SIGNING_CERT"].find('\r'), std::string::npos) << "not canonical PEM";
  EXPECT_EQ(Auth0Tenant::JwksKids(data), (std::set<std::string>{state.current_kid, state.next_kid}));

  std::string hash = tenant.KeysHash();
  EXPECT_EQ(StrAt(skr, "/status/keys/keysHash"), hash);
  EXPECT_EQ(StrAt(skr, "/status/keys/currentKid"), state.current_kid);
  EXPECT_EQ(StrAt(skr, "/status/keys/nextKid"), state.next_kid);
  EXPECT_EQ(StrAt(skr, "/status/keys/previousKid"), "");
  EXPECT_EQ(StrAt(skr, "/status/keys/currentFingerprint"),
            base::Fingerprint(tenant.CanonicalCert(state.current_kid)));
  auto row = TableRow(GetSkrTable(env.kube(), env.ns(), "tenant"));
  EXPECT_EQ(row["Phase"], "Ready");
  EXPECT_EQ(row["Current"], StrAt(skr, "/status/keys/currentFingerprint"));
  EXPECT_EQ(row["Consumers"], "1/1");
  EXPECT_TRUE(WaitUntil([&] { return env.workloads().LastRolledHash("api") == hash; }));

  // Steady state: across more than one refreshInterval (10s) nothing is written.
  auto secret_rv = StrAt(*GetObject(env.kube(), kube::resources::kSecrets, env.ns(), kSecret),
                         "/metadata/resourceVersion");
  auto skr_rv = StrAt(env.Skr("tenant"), "/metadata/resourceVersion");
  int reads_before = tenant.state().requests["get_keys"];
  std::this_thread::sleep_for(std::chrono::seconds(13));
  EXPECT_EQ(StrAt(*GetObject(env.kube(), kube::resources::kSecrets, env.ns(), kSecret), "/metadata/resourceVersion"),
            secret_rv);
  EXPECT_EQ(StrAt(env.Skr("tenant"), "/metadata/resourceVersion"), skr_rv);
  EXPECT_GE(tenant.state().requests["get_keys"], reads_before + 1) << "the refresh re-reads the keys";
  EXPECT_LE(tenant.state().tokens_issued, 1) << "the management token is cached between reconciles";

  std::string metrics = env.keyroll().Metrics().body;
  EXPECT_NE(metrics.find("keyroll_provider_requests_total{code=\"200\",op=\"get_keys\",provider=\"auth0\"}"),
            std::string::npos);
  EXPECT_NE(metrics.find("op=\"token\",provider=\"auth0\""), std::string::npos);
  EXPECT_EQ(env.FindLeaks(), std::vector<std::string>{});
}

TEST(E2EAuth0Sync, MissingClientSecretIsACredentialsCondition) {
  KEYROLL_E2E_REQUIRE_OPERATOR();
  E2EEnvironment env(WithAuth0());
  env.CreateSkr(env.auth0().MakeSkr("tenant", kSecret, {}, "no-such-secret"));
  json skr = env.WaitSkr("tenant", [](const json& s) {
    return ConditionSays(s, "KeysSynced", "no-such-secret");
  });
  ASSERT_TRUE(ConditionSays(skr, "KeysSynced", "Credentials")) << ConditionSummary(skr);
  EXPECT_FALSE(env.SecretData(kSecret).has_value());
  EXPECT_EQ(env.FindLeaks(), std::vector<std::string>{});
}

TEST(E2EAuth0Sync, ClientWithoutCreateScopeIsReportedAndNothingIsDestroyed) {
  KEYROLL_E2E_REQUIRE_OPERATOR();
  E2EEnvironment env(WithAuth0());
  auto& tenant = env.auth0();
  tenant.AddClientSecret("auth0-readonly", {"read:signing_keys"});
  env.CreateSkr(tenant.MakeSkr("tenant", kSecret, {}, "auth0-readonly"));
  ASSERT_TRUE(IsReadyAndSynced(env.WaitSkr("tenant", IsReadyAndSynced, std::chrono::seconds(30))));
  auto before = tenant.state();

  RequestRotation(env.kube(), env.ns(), "tenant", "r1");
  json skr = env.WaitSkr("tenant", [](const json& s) {
    return ConditionSays(s, "RotationAllowed", "create:signing_keys");
  });
  ASSERT_TRUE(ConditionSays(skr, "RotationAllowed", "Insufficient scope")) << ConditionSummary(skr);
  EXPECT_TRUE(ConditionSays(skr, "Ready", "create:signing_keys")) << ConditionSummary(skr);
  EXPECT_GE(CountEvents(SkrEvents(env.kube(), env.ns(), "tenant"), "RotationFailed"), 1);
  auto after = tenant.state();
  EXPECT_EQ(after.rotations, 0);
  EXPECT_EQ(after.current_kid, before.current_kid);
  EXPECT_EQ(after.requests["rotate"], 1) << "a refused rotation is never retried blindly";
  EXPECT_EQ(tenant.SecretDiff(env.SecretData(kSecret)), "");  // the keys in use are untouched
  EXPECT_EQ(env.FindLeaks(), std::vector<std::string>{});
}

TEST(E2EAuth0Sync, DailyRotationLimitIsReportedAndTheBudgetIsNotSpentOnRetries) {
  KEYROLL_E2E_REQUIRE_OPERATOR();
  E2EEnvironment env(WithAuth0());
  auto& tenant = env.auth0();
  tenant.fake().SetRotationsPerDay(1);  // as if four of the five were spent today
  env.CreateSkr(tenant.MakeSkr("tenant", kSecret, {}));
  ASSERT_TRUE(IsReadyAndSynced(env.WaitSkr("tenant", IsReadyAndSynced, std::chrono::seconds(30))));

  RequestRotation(env.kube(), env.ns(), "tenant", "r1");
  json skr = env.WaitSkr("tenant", [](const json& s) {
    return IsReadyAndSynced(s) && StrAt(s, "/status/lastHandledRequestID") == "r1";
  }, std::chrono::seconds(30));
  ASSERT_TRUE(IsReadyAndSynced(skr)) << ConditionSummary(skr);
  EXPECT_EQ(tenant.state().rotations, 1);

  RequestRotation(env.kube(), env.ns(), "tenant", "r2");
  skr = env.WaitSkr("tenant", [](const json& s) { return ConditionSays(s, "RotationAllowed", "rate limit"); });
  ASSERT_TRUE(ConditionSays(skr, "RotationAllowed", "at most 5 rotations a day")) << ConditionSummary(skr);
  EXPECT_TRUE(ConditionSays(skr, "RotationAllowed", "never retries")) << ConditionSummary(skr);
  std::this_thread::sleep_for(std::chrono::seconds(3));
  auto state = tenant.state();
  EXPECT_EQ(state.rotations, 1);
  EXPECT_EQ(state.requests["rotate"], 2) << "the refused rotation was retried";
  EXPECT_EQ(tenant.SecretDiff(env.SecretData(kSecret)), "");
  EXPECT_EQ(env.FindLeaks(), std::vector<std::string>{});
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::testing
