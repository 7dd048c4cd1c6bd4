// Secrecy: a provider whose error bodies echo the Authorization header, the token and the
// account's keys (the QStash fake's "echo-secrets" status fault). keyroll shows the error
// (condition, event, log) scrubbed: the user sees what failed, never the secrets, and the
// SecrecyScanner finds nothing in logs, Events, status or metrics.
#include <gtest/gtest.h>

#include "tests/support/e2e_environment.h"
#include "tests/support/wait.h"

namespace keyroll::testing {
namespace {
namespace KEYROLL_UNITY_ID {

constexpr const char* kSecret = "qstash-signing-keys";

fakes::Fault EchoSecrets(fakes::FaultOp op, int status, int count) {
  fakes::Fault f;
  f.kind = fakes::FaultKind::kStatus;
  f.op = op;
  f.status = status;
  f.count = count;
  f.variant = "echo-secrets";
  return f;
}

bool Mentions(const json& skr, const std::string& fragment) {
  return ConditionSummary(skr).find(fragment) != std::string::npos;
}

TEST(RobustnessSecrecy, ProviderErrorBodiesThatEchoTheTokenAndKeysAreScrubbedEverywhere) {
  KEYROLL_E2E_REQUIRE_OPERATOR();
  E2EEnvironment env;
  // Every keys read answers 500 with the secrets in the body until the fault is cleared.
  env.qstash().InjectFault(EchoSecrets(fakes::FaultOp::kGetKeys, 500, 1000));
  env.CreateSkr(MakeQStashSkr("payments", env.qstash_url(), kSecret));
  json skr = env.WaitSkr("payments", [](const json& s) { return Mentions(s, "invalid request"); });
  ASSERT_TRUE(Mentions(skr, "invalid request")) << "the provider's error is not shown: " << ConditionSummary(skr);
  const auto acc = env.account();
  for (const std::string& secret : {env.token(), acc.current, acc.next})
    EXPECT_EQ(ConditionSummary(skr).find(secret), std::string::npos) << "a secret reached the condition";
  EXPECT_FALSE(env.SecretData(kSecret).has_value()) << "a failed read wrote a Secret";
  EXPECT_GE(env.account().requests["get_keys"], 1);
  EXPECT_EQ(env.FindLeaks(), std::vector<std::string>{});

  // Healed, it syncs; then a rotate refused the same way is shown scrubbed as well.
  env.qstash().ResetFaults();
  skr = env.WaitSkr("payments", IsReadyAndSynced, std::chrono::seconds(40));
  ASSERT_TRUE(IsReadyAndSynced(skr)) << ConditionSummary(skr);
  env.qstash().InjectFault(EchoSecrets(fakes::FaultOp::kRotate, 400, 1));
  RequestRotation(env.kube(), env.ns(), "payments", "r1");
  ASSERT_TRUE(WaitUntil([&] {
    return CountEvents(SkrEvents(env.kube(), env.ns(), "payments"), "RotationFailed") >= 1;
  }, std::chrono::seconds(30)));
  bool shown = false;
  for (const auto& e : SkrEvents(env.kube(), env.ns(), "payments"))
    shown = shown || (e.value("reason", "") == "RotationFailed" &&
                      e.value("message", "").find("invalid request") != std::string::npos);
  EXPECT_TRUE(shown) << "the RotationFailed event does not carry the (scrubbed) provider error";
  EXPECT_FALSE(env.keyroll().LogLinesWith("rotate call failed").empty());
  EXPECT_EQ(env.FindLeaks(), std::vector<std::string>{});
  EXPECT_TRUE(env.keyroll().running());
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::testing
