// Scenario 12: keyroll started on a cluster without its CRD (a first `scripts/run` against a
// fresh cluster). It says in one line what is missing and how to install it, reports not
// ready, does not crash or flood its log, and starts working as soon as the CRD appears —
// without a restart.
#include <gtest/gtest.h>

#include "tests/support/e2e_environment.h"
#include "tests/support/wait.h"

namespace keyroll::testing {
namespace {
namespace KEYROLL_UNITY_ID {

TEST(E2EMissingCrd, KeyrollSaysWhatIsMissingAndStartsWhenTheCrdAppears) {
  KEYROLL_E2E_REQUIRE_OPERATOR();
  E2EOptions options;
  options.apply_keyroll_crd = false;
  options.start_operator = false;
  E2EEnvironment env(options);
  if (!env.cluster().is_fake()) GTEST_SKIP() << "a shared real cluster has keyroll's CRD installed for the other tests";
  env.keyroll().Start();
  ASSERT_TRUE(WaitUntil([&] { return !env.keyroll().LogLinesWith("CRD (signingkeyrotations.keyroll.dev) is not installed").empty(); }))
      << env.keyroll().CurrentLog();
  const auto said = env.keyroll().LogLinesWith("is not installed");
  ASSERT_EQ(said.size(), 1u) << "said once, not every few seconds";
  EXPECT_NE(said[0].find("kubectl apply -f crds/keyroll.dev_signingkeyrotations.yaml"), std::string::npos) << said[0];
  EXPECT_NE(env.keyroll().Probe("/readyz").status, 200) << "ready without its CRD";
  EXPECT_EQ(env.keyroll().Probe("/healthz").status, 200) << "alive: nothing to restart it for";
  EXPECT_TRUE(env.keyroll().LogLinesWith("list signingkeyrotations").empty()) << "no 404 warnings";

  ApplyKeyrollCrd(env.kube(), env.ns());
  ASSERT_TRUE(env.keyroll().WaitReady(std::chrono::seconds(30))) << env.keyroll().CurrentLog();
  env.CreateDeployment(MakeDeployment("api", "qstash-signing-keys", SecretUse::kEnvFrom));
  env.CreateSkr(MakeQStashSkr("payments", env.qstash_url(), "qstash-signing-keys", {"api"}));
  json skr = env.WaitSkr("payments", IsReadyAndSynced);
  EXPECT_TRUE(IsReadyAndSynced(skr)) << ConditionSummary(skr);
  EXPECT_EQ(env.keyroll().log_paths().size(), 1u) << "keyroll was started more than once";
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::testing
