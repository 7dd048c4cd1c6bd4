// inspect, check and why --read-provider as processes against the fakes and the real
// operator.
#include <gtest/gtest.h>

#include "cli/errors.h"
#include "tests/cli/cli_run.h"
#include "tests/support/e2e_environment.h"
#include "tests/support/wait.h"

namespace keyroll::testing {
namespace {
namespace KEYROLL_UNITY_ID {

constexpr const char* kSecret = "qstash-signing-keys";

json ReadyPayments(E2EEnvironment& env) {
  env.CreateDeployment(MakeDeployment("api", kSecret, SecretUse::kEnvFrom));
  env.CreateSkr(MakeQStashSkr("payments", env.qstash_url(), kSecret, {"api"}));
  return env.WaitSkr("payments", [](const json& s) {
    return IsReadyAndSynced(s) && StrAt(s, "/status/consumersReady") == "1/1";
  });
}

TEST(CliInspect, FingerprintsConsumersHashesAndEvents) {
  KEYROLL_E2E_REQUIRE_OPERATOR();
  E2EEnvironment env;
  json skr = ReadyPayments(env);
  ASSERT_TRUE(IsReadyAndSynced(skr)) << ConditionSummary(skr);
  CliRun run = RunCli(env.cluster(), {"inspect", "payments", "-o", "json"});
  ASSERT_EQ(run.exit_code, cli::kExitOk) << run.output;
  json j = run.Json();
  EXPECT_EQ(j["secret"]["fingerprints"]["QSTASH_CURRENT_SIGNING_KEY"],
            StrAt(skr, "/status/keys/currentFingerprint"));
  EXPECT_EQ(j["secret"]["keysHash"], StrAt(skr, "/status/keys/keysHash"));
  EXPECT_EQ(j["secret"]["matchesStatus"], true);
  ASSERT_EQ(j["consumers"].size(), 1u) << run.output;
  EXPECT_EQ(j["consumers"][0]["name"], "api");
  EXPECT_EQ(j["consumers"][0]["templateKeysHash"], StrAt(skr, "/status/keys/keysHash"));
  EXPECT_EQ(j["consumers"][0]["rollout"], "complete");
  EXPECT_EQ(j["consumers"][0]["state"], "up to date");
  EXPECT_NE(j["events"].dump().find("KeysSynced"), std::string::npos) << run.output;

  CliRun text = RunCli(env.cluster(), {"inspect", "payments"});
  ASSERT_EQ(text.exit_code, cli::kExitOk) << text.output;
  EXPECT_NE(text.output.find("values are never shown"), std::string::npos) << text.output;
  for (const auto& secret : env.qstash().AllSecrets()) EXPECT_EQ(text.output.find(secret), std::string::npos);
}

TEST(CliCheck, CrdOperatorDeploymentAndLeaderLease) {
  KEYROLL_E2E_REQUIRE_OPERATOR();
  E2EOptions options;
  options.leader_elect = true;  // the Lease keyroll-leader in the test's namespace
  E2EEnvironment env(options);
  CliRun missing = RunCli(env.cluster(), {"check", "--operator-namespace", env.ns()});
  EXPECT_EQ(missing.exit_code, cli::kExitError) << missing.output;
  EXPECT_NE(missing.output.find("FAIL  operator: no Deployment"), std::string::npos) << missing.output;

  // The operator runs as a process here; a Deployment labelled as deploy/ labels it stands
  // for it (the simulated deployment controller makes it available).
  json d = MakeDeployment("keyroll", "none", SecretUse::kNone, {{"app.kubernetes.io/name", "keyroll"}}, 1);
  env.CreateDeployment(d);
  CliRun run;
  ASSERT_TRUE(WaitUntil(
      [&] {
        run = RunCli(env.cluster(), {"check", "--operator-namespace", env.ns()});
        return run.exit_code == cli::kExitOk;
      },
      std::chrono::seconds(20)))
      << run.output;
  EXPECT_NE(run.output.find("ok    CRD signingkeyrotations.keyroll.dev installed: serves v1alpha1"),
            std::string::npos)
      << run.output;
  EXPECT_NE(run.output.find("ok    operator: Deployment " + env.ns() + "/keyroll available"),
            std::string::npos)
      << run.output;
  EXPECT_NE(run.output.find("holds Lease " + env.ns() + "/keyroll-leader, renewed"), std::string::npos)
      << run.output;
  // The fake API server has no SelfSubjectAccessReview: the CLI says it cannot tell.
  EXPECT_NE(run.output.find("whether you may patch signingkeyrotations"), std::string::npos) << run.output;
}

TEST(CliWhyReadProvider, ReadsTheProviderWithTheResourcesToken) {
  KEYROLL_E2E_REQUIRE_OPERATOR();
  E2EEnvironment env;
  json skr = ReadyPayments(env);
  TempDir dir;
  std::string ca = dir.Write("qstash-ca.crt", env.qstash().ca_cert_pem());
  CliRun run =
      RunCli(env.cluster(), {"why", "payments", "--read-provider", "--provider-ca-file", ca, "-o", "json"});
  ASSERT_EQ(run.exit_code, cli::kExitOk) << run.output;
  json why = run.Json();
  EXPECT_EQ(why["providerKeys"]["current"], StrAt(skr, "/status/keys/currentFingerprint")) << run.output;
  EXPECT_EQ(why["rotationAllowed"]["status"], "True") << run.output;

  // Without the fake's CA the read fails as the operator's would, and the gate says so.
  CliRun untrusted = RunCli(env.cluster(), {"why", "payments", "--read-provider", "-o", "json"});
  ASSERT_EQ(untrusted.exit_code, cli::kExitOk) << untrusted.output;
  json held = untrusted.Json();
  EXPECT_NE(held["providerError"].get<std::string>().find("TLS"), std::string::npos) << untrusted.output;
  EXPECT_EQ(held["firstHold"], "ProviderError") << untrusted.output;
  for (const auto& secret : env.qstash().AllSecrets()) {
    EXPECT_EQ(run.output.find(secret), std::string::npos);
    EXPECT_EQ(untrusted.output.find(secret), std::string::npos);
  }
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::testing
