// An OnDelete StatefulSet or DaemonSet loads new keys only when someone deletes its pods:
// the condition names those pods (at most 5, "and N more"), the ones the workload controls
// that still run an old template (StatefulSet: controller-revision-hash against
// status.updateRevision; DaemonSet: pod-template-generation against the DaemonSet's
// deprecated.daemonset.template.generation), and follows as they are replaced.
// The test plays the StatefulSet and DaemonSet controllers' pods, so it runs against the fake
// only: on a real cluster those controllers own the pods and their labels.
#include <gtest/gtest.h>

#include "tests/support/e2e_environment.h"
#include "tests/support/wait.h"

namespace keyroll::testing {
namespace {
namespace KEYROLL_UNITY_ID {

constexpr const char* kSecret = "qstash-signing-keys";

// A pod as a workload controller creates it: its selector's labels, `label` = `value`, and a
// controller ownerReference.
void CreatePod(E2EEnvironment& env, const json& owner, const std::string& name, const std::string& label,
               const std::string& value) {
  json pod = {{"apiVersion", "v1"},
              {"kind", "Pod"},
              {"metadata",
               {{"name", name},
                {"labels", {{"app", kube::NameOf(owner)}, {label, value}}},
                {"ownerReferences",
                 {{{"apiVersion", "apps/v1"}, {"kind", owner["kind"]}, {"name", kube::NameOf(owner)},
                   {"uid", StrAt(owner, "/metadata/uid")}, {"controller", true}}}}}},
              {"spec", {{"containers", {{{"name", "app"}, {"image", "registry.example.com/app:1"}}}}}}};
  CreateObject(env.kube(), kube::resources::kPods, env.ns(), pod);
}

void Relabel(E2EEnvironment& env, const std::string& pod, const std::string& label, const std::string& value) {
  ASSERT_TRUE(env.kube().MergePatch(kube::resources::kPods, env.ns(), pod, {{"metadata", {{"labels", {{label, value}}}}}}).ok());
}

std::string ConsumerMessage(const json& skr, const std::string& kind, const std::string& name) {
  for (const auto& c : skr.value("status", json::object()).value("consumers", json::array()))
    if (c.value("kind", "") == kind && c.value("name", "") == name) return c.value("message", "");
  return "";
}

TEST(E2EOnDeletePods, TheConditionNamesThePodsToDeleteAndFollowsThem) {
  KEYROLL_E2E_REQUIRE_OPERATOR();
  E2EEnvironment env;
  if (!env.cluster().is_fake()) GTEST_SKIP() << "the test plays the StatefulSet and DaemonSet controllers' pods";
  json ledger = env.CreateWorkload(MakeStatefulSet("ledger", kSecret, SecretUse::kEnvFrom, 7, "OnDelete"));
  json agent = env.CreateWorkload(MakeDaemonSet("agent", kSecret, SecretUse::kVolume, "OnDelete"));
  ASSERT_TRUE(WaitUntil([&] { return env.workloads().Rollouts().size() == 2; }));
  // The pods as created with the workloads (revision ledger-r1, template generation 1), and
  // one pod of the namespace that no workload controls (never named).
  for (int i = 0; i < 7; ++i) CreatePod(env, ledger, "ledger-" + std::to_string(i), "controller-revision-hash", "ledger-r1");
  for (const char* node : {"agent-b7x2q", "agent-k9d4w"}) CreatePod(env, agent, node, "pod-template-generation", "1");
  CreateObject(env.kube(), kube::resources::kPods, env.ns(),
               {{"apiVersion", "v1"}, {"kind", "Pod"},
                {"metadata", {{"name", "ledger-debug"}, {"labels", {{"app", "ledger"}}}}},
                {"spec", {{"containers", {{{"name", "sh"}, {"image", "busybox"}}}}}}});

  env.CreateSkr(MakeQStashSkr("payments", env.qstash_url(), kSecret, {"StatefulSet/ledger", "DaemonSet/agent"}));
  json skr = env.WaitSkr("payments", [](const json& s) {
    return ConsumerMessage(s, "StatefulSet", "ledger").find("kubectl delete pod") != std::string::npos &&
           ConsumerMessage(s, "DaemonSet", "agent").find("kubectl delete pod") != std::string::npos;
  });
  EXPECT_EQ(StrAt(FindCondition(skr, "Ready"), "/reason"), "ConsumerCannotComplete") << ConditionSummary(skr);
  std::string message = ConsumerMessage(skr, "StatefulSet", "ledger");
  EXPECT_NE(message.find("(kubectl delete pod ledger-0 ledger-1 ledger-2 ledger-3 ledger-4 (and 2 more), "
                         "or use consumers.restart: None)"),
            std::string::npos)
      << message;
  EXPECT_EQ(message.find("ledger-debug"), std::string::npos) << message;
  message = ConsumerMessage(skr, "DaemonSet", "agent");
  EXPECT_NE(message.find("(kubectl delete pod agent-b7x2q agent-k9d4w, or use consumers.restart: None)"),
            std::string::npos)
      << message;
  EXPECT_NE(StrAt(FindCondition(skr, "Ready"), "/message").find("ledger-0"), std::string::npos)
      << "the condition names them too: " << ConditionSummary(skr);

  // Six of the StatefulSet's pods and one of the DaemonSet's were replaced: the next reconcile
  // (here woken by a rotation request) names the rest.
  for (int i = 0; i < 6; ++i) Relabel(env, "ledger-" + std::to_string(i), "controller-revision-hash", "ledger-r2");
  Relabel(env, "agent-b7x2q", "pod-template-generation", "2");
  RequestRotation(env.kube(), env.ns(), "payments", "r1");
  skr = env.WaitSkr("payments", [](const json& s) {
    return ConsumerMessage(s, "StatefulSet", "ledger").find("kubectl delete pod ledger-6,") != std::string::npos &&
           ConsumerMessage(s, "DaemonSet", "agent").find("kubectl delete pod agent-k9d4w,") != std::string::npos;
  });
  EXPECT_NE(ConsumerMessage(skr, "StatefulSet", "ledger").find("kubectl delete pod ledger-6,"), std::string::npos)
      << ConditionSummary(skr);
  EXPECT_EQ(StrAt(FindCondition(skr, "RotationAllowed"), "/reason"), "ConsumerCannotComplete");
  EXPECT_EQ(env.account().rotations, 0);
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::testing
