// Scenario 9: key material and tokens never leave the Secrets. After a first sync, a
// rotation, a console rotation and a resource whose token the provider refuses, keyroll's
// logs (at debug level), all Events, every SigningKeyRotation (status included), the other
// objects in the namespace and /metrics contain no key and no token, plain or base64.
#include <gtest/gtest.h>

#include "tests/support/e2e_environment.h"
#include "tests/support/wait.h"

namespace keyroll::testing {
namespace {
namespace KEYROLL_UNITY_ID {

constexpr const char* kSecret = "qstash-signing-keys";

TEST(E2ESecrecy, NoKeyOrTokenInLogsEventsStatusOrMetrics) {
  KEYROLL_E2E_REQUIRE_OPERATOR();
  E2EEnvironment env;
  env.CreateDeployment(MakeDeployment("api", kSecret, SecretUse::kEnvFrom));
  env.CreateSkr(MakeQStashSkr("payments", env.qstash_url(), kSecret, {"api"}));
  ASSERT_TRUE(IsReadyAndSynced(env.WaitSkr("payments", IsReadyAndSynced)));

  // A token the provider does not know: the error path must not echo it either.
  std::string wrong_token = fakes::FakeQStash::NewToken();
  CreateObject(env.kube(), kube::resources::kSecrets, env.ns(),
               {{"apiVersion", "v1"}, {"kind", "Secret"}, {"metadata", {{"name", "wrong"}}},
                {"stringData", {{"QSTASH_TOKEN", wrong_token}}}});
  json bad = MakeQStashSkr("refused", env.qstash_url(), "refused-keys");
  bad["spec"]["provider"]["qstash"]["tokenSecretRef"]["name"] = "wrong";
  env.CreateSkr(bad);

  RequestRotation(env.kube(), env.ns(), "payments", "r1");
  ASSERT_TRUE(WaitUntil([&] { return env.account().rotations == 1; }, std::chrono::seconds(30)));
  ASSERT_TRUE(env.qstash().ConsoleRotate(env.token()));
  ASSERT_TRUE(WaitUntil([&] { return env.SecretMatchesProvider(kSecret); }, std::chrono::seconds(25)));
  json refused = env.WaitSkr("refused", [](const json& s) { return HasCondition(s, "Ready", "False"); });
  ASSERT_TRUE(HasCondition(refused, "Ready", "False")) << ConditionSummary(refused);
  EXPECT_FALSE(env.SecretData("refused-keys").has_value());

  auto metrics = env.keyroll().Metrics();
  ASSERT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.body.find("keyroll_rotations_total"), std::string::npos);

  auto secrets = env.qstash().AllSecrets();
  secrets.push_back(wrong_token);
  SecrecyScanner scanner(secrets);
  auto leaks = scanner.Scan("keyroll log", env.keyroll().AllLogs());
  auto more = scanner.Scan("metrics", metrics.body);
  leaks.insert(leaks.end(), more.begin(), more.end());
  more = scanner.ScanNamespace(env.kube(), env.ns());
  leaks.insert(leaks.end(), more.begin(), more.end());
  EXPECT_EQ(leaks, std::vector<std::string>{});
  EXPECT_FALSE(env.keyroll().AllLogs().empty());  // the scan saw real output
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::testing
