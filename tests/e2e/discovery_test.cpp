// Scenario 8: discovery. A Deployment that reads the target Secret but is not declared as a
// consumer is found (env secretKeyRef, envFrom, volume, projected volume), restarted with the
// keys, and blocks the rotation until its rollout completes. A Deployment that does not read
// the Secret is left alone.
#include <gtest/gtest.h>

#include "operator/base/fingerprint.h"
#include "tests/support/e2e_environment.h"
#include "tests/support/wait.h"

namespace keyroll::testing {
namespace {
namespace KEYROLL_UNITY_ID {

constexpr const char* kSecret = "qstash-signing-keys";

std::string TemplateHash(E2EEnvironment& env, const std::string& name) {
  auto d = GetObject(env.kube(), kube::resources::kDeployments, env.ns(), name);
  return d->value("/spec/template/metadata/annotations"_json_pointer, json::object())
      .value("keyroll.dev/keys-hash", "");
}

TEST(E2EDiscovery, UndeclaredConsumerBlocksRotationUntilRolledOut) {
  KEYROLL_E2E_REQUIRE_OPERATOR();
  E2EEnvironment env;
  KEYROLL_SKIP_UNLESS_SIMULATED_ROLLOUTS(env, "a rollout held back (Hold)");
  env.CreateDeployment(MakeDeployment("api", kSecret, SecretUse::kEnvFrom));           // declared
  env.CreateDeployment(MakeDeployment("worker", kSecret, SecretUse::kSecretKeyRef));   // discovered, held
  env.CreateDeployment(MakeDeployment("cron", kSecret, SecretUse::kProjectedVolume));  // discovered
  env.CreateDeployment(MakeDeployment("other", "something-else", SecretUse::kEnvFrom));  // not a consumer
  ASSERT_TRUE(WaitUntil([&] { return env.workloads().Rollouts().size() == 4; }));
  env.workloads().Hold("worker");
  env.CreateSkr(MakeQStashSkr("payments", env.qstash_url(), kSecret, {"api"}));

  auto acc = env.account();
  std::string hash = base::KeysHash(acc.current, acc.next);
  ASSERT_TRUE(WaitUntil([&] {
    return env.workloads().LastRolledHash("api") == hash && env.workloads().LastRolledHash("cron") == hash;
  })) << "declared and discovered consumers are restarted with the keys";
  // Restarted too (in the same pass, or when a restart slot frees), its rollout held.
  EXPECT_TRUE(WaitUntil([&] { return TemplateHash(env, "worker") == hash; })) << TemplateHash(env, "worker");

  RequestRotation(env.kube(), env.ns(), "payments", "r1");
  json skr = env.WaitSkr("payments", [](const json& s) {
    json c = FindCondition(s, "RotationAllowed");
    return c.is_object() && StrAt(c, "/status") == "False" && StrAt(c, "/message").find("worker") != std::string::npos &&
           StrAt(s, "/status/consumersReady") == "2/3";
  });
  ASSERT_TRUE(HasCondition(skr, "RotationAllowed", "False")) << ConditionSummary(skr);
  EXPECT_NE(StrAt(FindCondition(skr, "RotationAllowed"), "/message").find("worker"), std::string::npos)
      << ConditionSummary(skr);
  EXPECT_EQ(StrAt(skr, "/status/consumersReady"), "2/3");
  std::vector<std::string> names;
  for (const auto& c : skr["status"].value("consumers", json::array())) names.push_back(c.value("name", ""));
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"api", "cron", "worker"}));
  EXPECT_EQ(env.account().rotations, 0);

  env.workloads().Release("worker");
  skr = env.WaitSkr("payments", [](const json& s) {
    return IsReadyAndSynced(s) && StrAt(s, "/status/lastHandledRequestID") == "r1" &&
           StrAt(s, "/status/consumersReady") == "3/3";
  }, std::chrono::seconds(30));
  ASSERT_TRUE(IsReadyAndSynced(skr)) << ConditionSummary(skr);
  EXPECT_EQ(env.account().rotations, 1);
  EXPECT_TRUE(env.SecretMatchesProvider(kSecret));
  EXPECT_EQ(TemplateHash(env, "other"), "");
  EXPECT_EQ(env.workloads().RolloutsOf("other").size(), 1u);  // only its creation
  KEYROLL_EXPECT_GATE_HELD(env, "payments", env.account().rotations, "api", "worker", "cron");
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::testing
