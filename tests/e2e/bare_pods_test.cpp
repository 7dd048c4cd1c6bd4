// Bare Pods (no controlling workload) that read the target Secret cannot be restarted or gated:
// when keyroll writes keys to the Secret it says which ones, in a Warning event, and never waits
// for them. Pods that do not read the Secret, or that a workload controls, are not named.
#include <gtest/gtest.h>

#include "tests/support/e2e_environment.h"
#include "tests/support/wait.h"

namespace keyroll::testing {
namespace {
namespace KEYROLL_UNITY_ID {

constexpr const char* kSecret = "qstash-signing-keys";

json Pod(const std::string& name, const json& container_extra, const json& owner = nullptr) {
  json container = {{"name", "app"}, {"image", "registry.example.com/app:1"}};
  container.update(container_extra);
  json pod = {{"apiVersion", "v1"}, {"kind", "Pod"}, {"metadata", {{"name", name}}},
              {"spec", {{"containers", json::array({container})}}}};
  if (!owner.is_null()) pod["metadata"]["ownerReferences"] = json::array({owner});
  return pod;
}

TEST(E2EBarePods, BarePodsThatReadTheSecretAreReportedNotWaitedFor) {
  KEYROLL_E2E_REQUIRE_OPERATOR();
  E2EEnvironment env;
  const json reads = {{"envFrom", {{{"secretRef", {{"name", kSecret}}}}}}};
  CreateObject(env.kube(), kube::resources::kPods, env.ns(), Pod("debug-shell", reads));
  CreateObject(env.kube(), kube::resources::kPods, env.ns(), Pod("unrelated", json::object()));
  json rs = env.CreateDeployment(MakeDeployment("api", kSecret, SecretUse::kEnvFrom));
  CreateObject(env.kube(), kube::resources::kPods, env.ns(),
               Pod("api-7d9f-x2x4q", reads,
                   {{"apiVersion", "apps/v1"}, {"kind", "ReplicaSet"}, {"name", "api-7d9f"},
                    {"uid", StrAt(rs, "/metadata/uid")}, {"controller", true}}));
  env.CreateSkr(MakeQStashSkr("payments", env.qstash_url(), kSecret));  // discover: true

  json skr = env.WaitSkr("payments", IsReadyAndSynced);
  ASSERT_TRUE(IsReadyAndSynced(skr)) << "a bare Pod never holds the resource: " << ConditionSummary(skr);
  // The first sync creates the Secret: no pod held older keys, so nothing is said (and no pod
  // list is spent on it). New keys are what bare Pods miss.
  for (const auto& e : SkrEvents(env.kube(), env.ns(), "payments"))
    EXPECT_NE(e.value("reason", ""), "BarePodsNotRestarted") << "reported on the first sync";
  RequestRotation(env.kube(), env.ns(), "payments", "bare-1");
  std::string message;
  ASSERT_TRUE(WaitUntil([&] {
    for (const auto& e : SkrEvents(env.kube(), env.ns(), "payments"))
      if (e.value("reason", "") == "BarePodsNotRestarted") message = e.value("message", "");
    return !message.empty();
  })) << "no BarePodsNotRestarted event";
  EXPECT_NE(message.find("Pods debug-shell read Secret \"qstash-signing-keys\""), std::string::npos) << message;
  EXPECT_NE(message.find("keyroll cannot restart them"), std::string::npos) << message;
  EXPECT_EQ(message.find("unrelated"), std::string::npos) << message;
  EXPECT_EQ(message.find("api-7d9f"), std::string::npos) << "a controlled pod is its workload's: " << message;
  EXPECT_EQ(env.FindLeaks(), std::vector<std::string>{});
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::testing
