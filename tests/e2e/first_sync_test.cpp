// Scenario 1: apply the CRD and a SigningKeyRotation → the Secret holds the provider's keys
// under the default data keys, is owned by the resource, the status is Ready with the
// fingerprints, and `kubectl get skr` (the Table view) shows Phase/Current/Next/Consumers.
#include <gtest/gtest.h>

#include "operator/base/fingerprint.h"
#include "tests/support/e2e_environment.h"
#include "tests/support/wait.h"

namespace keyroll::testing {
namespace {
namespace KEYROLL_UNITY_ID {

TEST(E2EFirstSync, SecretHoldsProviderKeysAndStatusIsReady) {
  KEYROLL_E2E_REQUIRE_OPERATOR();
  E2EEnvironment env;
  env.CreateDeployment(MakeDeployment("api", "qstash-signing-keys", SecretUse::kEnvFrom));
  json created = env.CreateSkr(MakeQStashSkr("payments", env.qstash_url(), "qstash-signing-keys", {"api"}));

  json skr = env.WaitSkr("payments", [](const json& s) {
    return IsReadyAndSynced(s) && StrAt(s, "/status/consumersReady") == "1/1";
  });
  ASSERT_TRUE(IsReadyAndSynced(skr)) << ConditionSummary(skr);
  auto acc = env.account();
  EXPECT_EQ(acc.rotations, 0);  // a first sync never rotates

  auto data = env.SecretData("qstash-signing-keys");
  ASSERT_TRUE(data.has_value());
  EXPECT_TRUE((*data)["QSTASH_CURRENT_SIGNING_KEY"] == acc.current);  // no key values in failure output
  EXPECT_TRUE((*data)["QSTASH_NEXT_SIGNING_KEY"] == acc.next);
  std::string keys_hash = base::KeysHash(acc.current, acc.next);

  auto secret = *GetObject(env.kube(), kube::resources::kSecrets, env.ns(), "qstash-signing-keys");
  auto owners = secret.value("/metadata/ownerReferences"_json_pointer, json::array());
  ASSERT_EQ(owners.size(), 1u);
  EXPECT_EQ(owners[0]["kind"], "SigningKeyRotation");
  EXPECT_EQ(owners[0]["name"], "payments");
  EXPECT_EQ(owners[0]["uid"], created["metadata"]["uid"]);
  EXPECT_EQ(secret["metadata"]["labels"]["app.kubernetes.io/managed-by"], "keyroll");
  EXPECT_EQ(secret["metadata"]["annotations"]["keyroll.dev/owner"], "payments");
  EXPECT_EQ(secret["metadata"]["annotations"]["keyroll.dev/keys-hash"], keys_hash);

  EXPECT_EQ(skr["status"]["keys"]["currentFingerprint"], base::Fingerprint(acc.current));
  EXPECT_EQ(skr["status"]["keys"]["nextFingerprint"], base::Fingerprint(acc.next));
  EXPECT_EQ(skr["status"]["keys"]["keysHash"], keys_hash);
  for (const char* type : {"Ready", "KeysSynced", "ConsumersUpToDate"}) {
    EXPECT_TRUE(HasCondition(skr, type, "True")) << type << ": " << ConditionSummary(skr);
  }

  // The consumer was restarted with the keys in the Secret and finished its rollout.
  EXPECT_TRUE(WaitUntil([&] { return env.workloads().LastRolledHash("api") == keys_hash; }));

  auto row = TableRow(GetSkrTable(env.kube(), env.ns(), "payments"));
  EXPECT_EQ(row["Phase"], "Ready");
  EXPECT_EQ(row["Current"], base::Fingerprint(acc.current));
  EXPECT_EQ(row["Next"], base::Fingerprint(acc.next));
  EXPECT_EQ(row["Consumers"], "1/1");

  EXPECT_GE(CountEvents(SkrEvents(env.kube(), env.ns(), "payments"), "KeysSynced"), 1);
  EXPECT_EQ(env.keyroll().Probe("/healthz").status, 200);
  EXPECT_EQ(env.FindLeaks(), std::vector<std::string>{});
}

TEST(E2EFirstSync, TargetSecretNameDefaultsToTheResourceName) {
  KEYROLL_E2E_REQUIRE_OPERATOR();
  E2EEnvironment env;
  json skr = MakeQStashSkr("billing", env.qstash_url(), "unused");
  skr["spec"]["target"].erase("secretName");
  env.CreateSkr(skr);
  json got = env.WaitSkr("billing", IsReadyAndSynced);
  ASSERT_TRUE(IsReadyAndSynced(got)) << ConditionSummary(got);
  EXPECT_TRUE(env.SecretMatchesProvider("billing"));
  EXPECT_FALSE(env.SecretData("unused").has_value());
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::testing
