// Issue 17's measurement as a test: one healthy resource beside 12 whose provider endpoint
// hangs — 6 accounts on the QStash fake with the "hang" fault (the request is read, never
// answered) and 6 whose URL is the fake's black hole (the TLS handshake never completes).
// With keyroll's default 4 workers the healthy resource still becomes Ready once its
// consumer's rollout completes and rotates on request; the hung ones' conditions say what is
// wrong and when keyroll tries again; keyroll exits on SIGTERM while their calls hang.
// The 2 s bounds are bounded waits; the times are recorded as test properties.
#include <gtest/gtest.h>

#include "tests/e2e/sigterm_exit.h"
#include "tests/support/e2e_environment.h"
#include "tests/support/wait.h"

namespace keyroll::testing {
namespace {
namespace KEYROLL_UNITY_ID {

constexpr const char* kSecret = "qstash-signing-keys";
constexpr int kHung = 12;

double SecondsSince(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

bool SaysWhenItRetries(const json& skr) {
  json ready = FindCondition(skr, "Ready");
  return HasCondition(skr, "Ready", "False", "ProviderError") &&
         ready.value("message", "").find("keyroll tries again at ") != std::string::npos;
}

TEST(E2EProviderIsolation, HungAccountsDelayNeitherTheHealthyResourceNorShutdown) {
  KEYROLL_E2E_REQUIRE_OPERATOR();
  E2EOptions options;
  // Shorter provider requests than the default 10 s only make the hung conditions appear
  // sooner; the healthy resource does not depend on it.
  options.operator_args = {"--provider-read-timeout", "1s"};
  options.start_operator = false;
  E2EEnvironment env(options);

  const std::string black_hole = env.qstash().BlackHoleUrl();
  for (int i = 0; i < kHung; ++i) {
    const std::string name = "hung-" + std::to_string(i);
    std::string token = env.qstash().CreateAccount();
    fakes::Fault hang = fakes::MakeFault(fakes::FaultKind::kHang, fakes::FaultOp::kAny, -1);
    hang.account = token;
    if (i % 2 == 0) env.qstash().InjectFault(hang);
    CreateObject(env.kube(), kube::resources::kSecrets, env.ns(),
                 {{"apiVersion", "v1"}, {"kind", "Secret"}, {"metadata", {{"name", "token-" + name}}},
                  {"type", "Opaque"}, {"stringData", {{"QSTASH_TOKEN", token}}}});
    json skr = MakeQStashSkr(name, i % 2 == 0 ? env.qstash_url() : black_hole, "keys-" + name);
    skr["spec"]["provider"]["qstash"]["tokenSecretRef"]["name"] = "token-" + name;
    env.CreateSkr(skr);
  }
  env.StartOperator();
  // Let the hung reads start (each hung resource has been picked up by a worker).
  ASSERT_TRUE(WaitUntil([&] { return env.qstash().server()->parked() >= kHung / 2; }, std::chrono::seconds(20)));

  env.CreateDeployment(MakeDeployment("api", kSecret, SecretUse::kEnvFrom));
  env.CreateSkr(MakeQStashSkr("payments", env.qstash_url(), kSecret, {"api"}));
  // The bounds, as bounded waits (measured: well under 0.1 s each on a loaded 2-core
  // machine): Ready within 2 s of the consumer's rollout completing, rotated within 2 s of
  // the request.
  ASSERT_TRUE(WaitUntil([&] { return !env.workloads().RolloutsOf("api").empty(); }, std::chrono::seconds(30)))
      << ConditionSummary(env.Skr("payments"));
  json skr = env.WaitSkr("payments", IsReadyAndSynced, std::chrono::seconds(2));
  ASSERT_TRUE(IsReadyAndSynced(skr)) << "not Ready within 2 s of the rollout: " << ConditionSummary(skr);
  const double rollout_to_ready =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - env.workloads().RolloutsOf("api").back().completed)
          .count();
  RecordProperty("rollout_complete_to_ready_seconds", std::to_string(rollout_to_ready));
  std::cerr << "rollout complete -> Ready: " << rollout_to_ready << " s (upper bound: polled)\n";

  // A rotation on request, while the hung accounts still hang.
  const auto requested = std::chrono::steady_clock::now();
  RequestRotation(env.kube(), env.ns(), "payments", "r1");
  ASSERT_TRUE(WaitUntil([&] { return env.account().rotations >= 1; }, std::chrono::seconds(2)))
      << "not rotated within 2 s of the request: " << ConditionSummary(env.Skr("payments"));
  const double request_to_rotated = SecondsSince(requested);
  RecordProperty("request_to_rotated_seconds", std::to_string(request_to_rotated));
  std::cerr << "rotation requested -> provider rotated: " << request_to_rotated << " s\n";
  skr = env.WaitSkr("payments", [](const json& s) {
    return IsReadyAndSynced(s) && StrAt(s, "/status/lastHandledRequestID") == "r1";
  }, std::chrono::seconds(30));
  EXPECT_EQ(StrAt(skr, "/status/lastHandledRequestID"), "r1") << ConditionSummary(skr);
  EXPECT_EQ(env.account().rotations, 1);

  // Every hung resource says what is wrong and when keyroll tries again.
  for (int i = 0; i < kHung; ++i) {
    json hung = env.WaitSkr("hung-" + std::to_string(i), SaysWhenItRetries, std::chrono::seconds(60));
    EXPECT_TRUE(SaysWhenItRetries(hung)) << "hung-" << i << ": " << ConditionSummary(hung);
  }

  // SIGTERM while provider calls hang: keyroll exits by itself within 5 s (Stop waits 5 s,
  // then kills).
  ASSERT_TRUE(StopExpectingAnExitBySigterm(env.keyroll())) << "keyroll gave no exit status";
  EXPECT_EQ(env.FindLeaks(), std::vector<std::string>{});
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::testing
