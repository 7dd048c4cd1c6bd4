// Rotate calls run off the reconcile workers too (docs/provider-isolation.md): with a single
// worker, rotations whose provider call hangs (the QStash fake's "hang" fault on rotate only,
// per account) do not delay another resource's rotation, and keyroll still exits on SIGTERM
// while they hang (the crash-safe protocol recovers an interrupted rotate: crash matrix).
// Before rotate left the worker, each hung rotate held the only worker for the whole read
// timeout (60 s here), so the healthy rotation waited behind them.
#include <gtest/gtest.h>

#include "tests/e2e/sigterm_exit.h"
#include "tests/support/e2e_environment.h"
#include "tests/support/wait.h"

namespace keyroll::testing {
namespace {
namespace KEYROLL_UNITY_ID {

constexpr int kStuck = 3;

TEST(E2EProviderIsolation, AHungRotateDoesNotDelayAnotherResourcesRotation) {
  KEYROLL_E2E_REQUIRE_OPERATOR();
  E2EOptions options;
  options.operator_args = {"--max-concurrent-reconciles", "1", "--provider-read-timeout", "60s"};
  options.start_operator = false;
  E2EEnvironment env(options);

  for (int i = 0; i < kStuck; ++i) {
    const std::string name = "stuck-" + std::to_string(i);
    std::string token = env.qstash().CreateAccount();
    fakes::Fault hang = fakes::MakeFault(fakes::FaultKind::kHang, fakes::FaultOp::kRotate, -1);
    hang.account = token;
    env.qstash().InjectFault(hang);
    CreateObject(env.kube(), kube::resources::kSecrets, env.ns(),
                 {{"apiVersion", "v1"}, {"kind", "Secret"}, {"metadata", {{"name", "token-" + name}}},
                  {"type", "Opaque"}, {"stringData", {{"QSTASH_TOKEN", token}}}});
    json skr = MakeQStashSkr(name, env.qstash_url(), "keys-" + name);
    skr["spec"]["provider"]["qstash"]["tokenSecretRef"]["name"] = "token-" + name;
    env.CreateSkr(skr);
  }
  env.CreateSkr(MakeQStashSkr("payments", env.qstash_url(), "payments-keys"));
  env.StartOperator();
  for (const std::string name : {"stuck-0", "stuck-1", "stuck-2", "payments"}) {
    json skr = env.WaitSkr(name, IsReadyAndSynced);
    ASSERT_TRUE(IsReadyAndSynced(skr)) << name << ": " << ConditionSummary(skr);
  }

  // The stuck resources' rotate calls hang at the provider.
  for (int i = 0; i < kStuck; ++i) RequestRotation(env.kube(), env.ns(), "stuck-" + std::to_string(i), "s1");
  ASSERT_TRUE(WaitUntil([&] { return env.qstash().server()->parked() >= static_cast<size_t>(kStuck); },
                        std::chrono::seconds(20)))
      << "the stuck rotations never reached the provider";

  // Another resource rotates on request meanwhile, on the same single worker.
  const auto requested = std::chrono::steady_clock::now();
  RequestRotation(env.kube(), env.ns(), "payments", "r1");
  ASSERT_TRUE(WaitUntil([&] { return env.account().rotations >= 1; }, std::chrono::seconds(2)))
      << "not rotated within 2 s of the request: " << ConditionSummary(env.Skr("payments"));
  const double request_to_rotated =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - requested).count();
  RecordProperty("request_to_rotated_seconds", std::to_string(request_to_rotated));
  std::cerr << "rotation requested -> provider rotated (3 rotates hung, 1 worker): " << request_to_rotated << " s\n";
  json skr = env.WaitSkr("payments", [](const json& s) {
    return IsReadyAndSynced(s) && StrAt(s, "/status/lastHandledRequestID") == "r1";
  }, std::chrono::seconds(30));
  EXPECT_EQ(StrAt(skr, "/status/lastHandledRequestID"), "r1") << ConditionSummary(skr);
  EXPECT_EQ(env.account().rotations, 1);

  // The stuck ones keep their recorded intent while their calls hang (nothing rotated twice).
  for (int i = 0; i < kStuck; ++i) {
    json stuck = env.Skr("stuck-" + std::to_string(i));
    EXPECT_EQ(StrAt(stuck, "/status/phase"), "Rotating") << ConditionSummary(stuck);
  }

  ASSERT_TRUE(StopExpectingAnExitBySigterm(env.keyroll())) << "keyroll gave no exit status";
  EXPECT_EQ(env.FindLeaks(), std::vector<std::string>{});
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::testing
