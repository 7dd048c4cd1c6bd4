// Scenario 10: a GitOps tool that syncs the pod template back from git (Argo CD self-heal,
// a replace-style Flux sync) removes keyroll's restart annotation whenever it appears. keyroll
// must not fight it forever (each patch is another rollout): after a bounded number of tries it
// stops patching, says what is happening and how to fix it (condition and event), and never
// rotates while that consumer is stale.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "tests/support/e2e_environment.h"
#include "tests/support/wait.h"

namespace keyroll::testing {
namespace {
namespace KEYROLL_UNITY_ID {

constexpr const char* kSecret = "qstash-signing-keys";

// Removes keyroll.dev/keys-hash from a Deployment's pod template whenever it appears.
class SelfHeal {
 public:
  SelfHeal(kube::Client& client, std::string ns, std::string name)
      : client_(client), ns_(std::move(ns)), name_(std::move(name)), thread_([this] { Loop(); }) {}
  ~SelfHeal() {
    stop_ = true;
    thread_.join();
  }
  int removals() const { return removals_; }

 private:
  void Loop() {
    while (!stop_) {
      auto d = client_.Get(kube::resources::kDeployments, ns_, name_);
      if (d && !StrAt(*d, "/spec/template/metadata/annotations/keyroll.dev~1keys-hash").empty()) {
        json patch = {{"spec", {{"template", {{"metadata", {{"annotations", {{"keyroll.dev/keys-hash", nullptr}}}}}}}}}};
        if (client_.MergePatch(kube::resources::kDeployments, ns_, name_, patch)) ++removals_;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  kube::Client& client_;
  std::string ns_, name_;
  std::atomic<int> removals_{0};
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

TEST(E2EGitOpsRevert, KeyrollStopsPatchingARevertedTemplateAndSaysHowToFixIt) {
  KEYROLL_E2E_REQUIRE_OPERATOR();
  E2EEnvironment env;
  env.CreateDeployment(MakeDeployment("api", kSecret, SecretUse::kEnvFrom));
  env.CreateDeployment(MakeDeployment("synced", kSecret, SecretUse::kEnvFrom));
  ASSERT_TRUE(WaitUntil([&] { return env.workloads().Rollouts().size() == 2; }));
  SelfHeal heal(env.kube(), env.ns(), "synced");
  json resource = MakeQStashSkr("payments", env.qstash_url(), kSecret, {"api", "synced"});
  resource["spec"]["consumers"]["maxConcurrentRestarts"] = 2;
  env.CreateSkr(resource);

  json skr = env.WaitSkr("payments", [](const json& s) {
    return StrAt(FindCondition(s, "ConsumersUpToDate"), "/reason") == "ConsumerCannotComplete";
  }, std::chrono::seconds(30));
  json cond = FindCondition(skr, "ConsumersUpToDate");
  ASSERT_EQ(StrAt(cond, "/reason"), "ConsumerCannotComplete") << ConditionSummary(skr);
  EXPECT_NE(StrAt(cond, "/message").find("synced"), std::string::npos);
  EXPECT_NE(StrAt(cond, "/message").find("ignoreDifferences"), std::string::npos) << StrAt(cond, "/message");
  EXPECT_NE(StrAt(cond, "/message").find("consumers.restart: None"), std::string::npos);
  EXPECT_EQ(skr["status"]["phase"], "Blocked");
  EXPECT_TRUE(WaitUntil([&] { return CountEvents(SkrEvents(env.kube(), env.ns(), "payments"), "ConsumerRestartReverted") == 1; }))
      << "a Warning event says it";
  EXPECT_EQ(heal.removals(), 3) << "keyroll patched three times, then stopped";

  // It stays stopped, and a requested rotation waits (server-side evidence: the template's
  // generation does not move again, and the provider was never asked to rotate).
  const int64_t generation = GetObject(env.kube(), kube::resources::kDeployments, env.ns(), "synced")
                                 ->value("/metadata/generation"_json_pointer, int64_t{0});
  // The imperative request (what `kubectl keyroll rotate` sets) changes no spec, so the count
  // stands; a spec edit would let keyroll try again (docs/gitops.md).
  PatchSkr(env.kube(), env.ns(), "payments", {{"metadata", {{"annotations", {{"keyroll.dev/rotate-request", "r1"}}}}}});
  skr = env.WaitSkr("payments", [](const json& s) {
    json c = FindCondition(s, "RotationAllowed");
    return StrAt(c, "/reason") == "ConsumerCannotComplete" && StrAt(c, "/message").find("rotation due") != std::string::npos;
  });
  ASSERT_EQ(StrAt(FindCondition(skr, "RotationAllowed"), "/reason"), "ConsumerCannotComplete") << ConditionSummary(skr);
  EXPECT_EQ(GetObject(env.kube(), kube::resources::kDeployments, env.ns(), "synced")
                ->value("/metadata/generation"_json_pointer, int64_t{0}),
            generation);
  EXPECT_EQ(heal.removals(), 3);
  EXPECT_EQ(env.account().rotations, 0);
  EXPECT_EQ(env.FindLeaks(), std::vector<std::string>{});
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::testing
