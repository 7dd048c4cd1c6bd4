// Scenario 3: rotation requests. Each new requestID asks for one rotation; requests made while
// the gate is closed (consumers still rolling out the previous keys) wait and then produce one
// rotation per gate opening, never two back to back. The fake's rotation counter is the proof.
// The imperative annotation keyroll.dev/rotate-request works the same way.
#include <gtest/gtest.h>

#include "tests/support/e2e_environment.h"
#include "tests/support/wait.h"

namespace keyroll::testing {
namespace {
namespace KEYROLL_UNITY_ID {

constexpr const char* kSecret = "qstash-signing-keys";

std::string LastHandled(const json& s) { return StrAt(s, "/status/lastHandledRequestID"); }

TEST(E2ERotationRequests, TwoQuickBumpsGiveOneRotationPerGateOpening) {
  KEYROLL_E2E_REQUIRE_OPERATOR();
  E2EEnvironment env;
  KEYROLL_SKIP_UNLESS_SIMULATED_ROLLOUTS(env, "a rollout held back (Hold)");
  env.CreateDeployment(MakeDeployment("api", kSecret, SecretUse::kEnvFrom));
  env.CreateSkr(MakeQStashSkr("payments", env.qstash_url(), kSecret, {"api"}));
  json skr = env.WaitSkr("payments", IsReadyAndSynced);
  ASSERT_TRUE(IsReadyAndSynced(skr)) << ConditionSummary(skr);

  // First request rotates; api's restart for the new keys is held, so the gate closes.
  env.workloads().Hold("api");
  RequestRotation(env.kube(), env.ns(), "payments", "a");
  ASSERT_TRUE(WaitUntil([&] { return env.account().rotations == 1; }));
  // Two more bumps in quick succession while the gate is closed.
  RequestRotation(env.kube(), env.ns(), "payments", "b");
  RequestRotation(env.kube(), env.ns(), "payments", "c");
  skr = env.WaitSkr("payments", [](const json& s) {
    return HasCondition(s, "RotationAllowed", "False", "ConsumerStale");
  });
  ASSERT_TRUE(HasCondition(skr, "RotationAllowed", "False", "ConsumerStale")) << ConditionSummary(skr);
  EXPECT_EQ(env.account().rotations, 1);

  // The gate opens once: exactly one more rotation, for the latest request.
  env.workloads().Release("api");
  skr = env.WaitSkr("payments", [](const json& s) { return IsReadyAndSynced(s) && LastHandled(s) == "c"; },
                    std::chrono::seconds(30));
  ASSERT_TRUE(IsReadyAndSynced(skr) && LastHandled(skr) == "c") << ConditionSummary(skr);
  EXPECT_EQ(env.account().rotations, 2);
  EXPECT_EQ(skr["status"]["rotationCount"], 2);
  EXPECT_TRUE(env.SecretMatchesProvider(kSecret));

  // The same request id again is no new request. Sent with a harmless change (the refresh
  // interval) so that the generation moves and keyroll must be seen to have reconciled it
  // (observedGeneration); then the server-side evidence: no rotation at the provider, the
  // Secret untouched (same resourceVersion), rotationCount unchanged.
  const std::string secret_rv = kube::ResourceVersionOf(env.kube().Get(kube::resources::kSecrets, env.ns(), kSecret).value());
  auto rotate_calls_now = [&] {
    auto requests = env.account().requests;
    return requests.count("rotate") ? requests.at("rotate") : 0;
  };
  const int rotate_calls = rotate_calls_now();
  json again = PatchSkr(env.kube(), env.ns(), "payments",
                        {{"spec", {{"refreshInterval", "11s"}, {"rotation", {{"requestID", "c"}}}}}});
  const int64_t generation = again["metadata"]["generation"];
  ASSERT_GT(generation, skr["metadata"]["generation"].get<int64_t>());
  skr = env.WaitSkr("payments", [&](const json& s) {
    return IsReadyAndSynced(s) && s["status"].value("observedGeneration", int64_t{0}) == generation;
  });
  ASSERT_EQ(skr["status"].value("observedGeneration", int64_t{0}), generation) << ConditionSummary(skr);
  EXPECT_EQ(LastHandled(skr), "c");
  EXPECT_EQ(skr["status"]["rotationCount"], 2);
  EXPECT_EQ(env.account().rotations, 2);
  EXPECT_EQ(rotate_calls_now(), rotate_calls) << "no rotate call reached the provider";
  EXPECT_EQ(kube::ResourceVersionOf(env.kube().Get(kube::resources::kSecrets, env.ns(), kSecret).value()), secret_rv)
      << "the Secret was written again";
  KEYROLL_EXPECT_GATE_HELD(env, "payments", env.account().rotations, "api");
}

TEST(E2ERotationRequests, RotateRequestAnnotationRotatesOnce) {
  KEYROLL_E2E_REQUIRE_OPERATOR();
  E2EEnvironment env;
  env.CreateDeployment(MakeDeployment("api", kSecret, SecretUse::kSecretKeyRef));
  env.CreateSkr(MakeQStashSkr("payments", env.qstash_url(), kSecret, {"api"}));
  ASSERT_TRUE(IsReadyAndSynced(env.WaitSkr("payments", IsReadyAndSynced)));
  auto before = env.account();
  PatchSkr(env.kube(), env.ns(), "payments",
           {{"metadata", {{"annotations", {{"keyroll.dev/rotate-request", "manual-1"}}}}}});
  json skr = env.WaitSkr("payments", [](const json& s) {
    return IsReadyAndSynced(s) && s.value("/status/rotationCount"_json_pointer, 0) == 1;
  }, std::chrono::seconds(30));
  ASSERT_TRUE(IsReadyAndSynced(skr)) << ConditionSummary(skr);
  EXPECT_EQ(env.account().rotations, 1);
  EXPECT_TRUE(env.account().current == before.next);
  EXPECT_TRUE(env.SecretMatchesProvider(kSecret));
  EXPECT_EQ(CountEvents(SkrEvents(env.kube(), env.ns(), "payments"), "Rotated"), 1);
  auto metrics = env.keyroll().Metrics();
  ASSERT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.body.find("keyroll_rotations_total{result=\"succeeded\"} 1"), std::string::npos)
      << metrics.body.substr(0, 2000);
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::testing
