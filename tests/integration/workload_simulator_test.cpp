// The workload simulator stands down where a real controller writes workload statuses (a
// cluster behind KEYROLL_TEST_KUBECONFIG runs kube-controller-manager). Here the test plays
// that controller on the fake: it writes a Deployment's status before the simulator would.
// "The simulator wrote nothing" is read from the server: the object's resourceVersion stays
// the same while the simulator polls on.
#include <gtest/gtest.h>

#include "tests/support/cluster.h"
#include "tests/support/e2e_objects.h"
#include "tests/support/e2e_workloads.h"
#include "tests/support/wait.h"

namespace keyroll::testing {
namespace {
namespace KEYROLL_UNITY_ID {

using std::chrono::milliseconds;

std::string Rv(kube::Client& c, const std::string& ns, const std::string& name) {
  auto got = c.Get(kube::resources::kDeployments, ns, name);
  return got ? kube::ResourceVersionOf(*got) : "";
}

int64_t Generation(kube::Client& c, const std::string& ns, const std::string& name) {
  auto got = c.Get(kube::resources::kDeployments, ns, name);
  return got ? got->value("/metadata/generation"_json_pointer, int64_t{0}) : 0;
}

// Waits until the simulator has polled `n` more times.
bool WaitSteps(const WorkloadSimulator& sim, int64_t n) {
  const int64_t until = sim.Steps() + n;
  return WaitUntil([&] { return sim.Steps() >= until; });
}

TEST(WorkloadSimulator, RollsOutWhereNoControllerRuns) {
  TestCluster cluster;
  if (!cluster.is_fake()) GTEST_SKIP() << "a real cluster runs its own deployment controller";
  WorkloadSimulator sim(cluster.client(), cluster.namespace_name(), milliseconds(50));
  CreateObject(cluster.client(), kube::resources::kDeployments, cluster.namespace_name(),
               MakeDeployment("alone", "s", SecretUse::kEnvFrom));
  EXPECT_TRUE(WaitUntil([&] { return !sim.RolloutsOf("alone").empty(); }));
  EXPECT_FALSE(sim.StoodDown("Deployment"));
}

TEST(WorkloadSimulator, StandsDownWhenAControllerWritesStatusAndRecordsItsRollouts) {
  TestCluster cluster;
  kube::Client& c = cluster.client();
  const std::string ns = cluster.namespace_name();
  WorkloadSimulator sim(c, ns, milliseconds(500));
  auto status = [&](int64_t gen, int updated) {
    json s = {{"observedGeneration", gen}, {"replicas", 2}, {"updatedReplicas", updated},
              {"availableReplicas", updated}, {"readyReplicas", updated}};
    auto r = c.MergePatchStatus(kube::resources::kDeployments, ns, "api", {{"status", s}});
    EXPECT_TRUE(r.ok()) << r.error().ToString();
  };
  CreateObject(c, kube::resources::kDeployments, ns, MakeDeployment("api", "s", SecretUse::kEnvFrom));
  if (cluster.is_fake()) status(1, 0);  // the controller observed the Deployment, pods still starting
  ASSERT_TRUE(WaitUntil([&] { return sim.StoodDown("Deployment"); }));
  KEYROLL_SKIP_UNLESS_FAKE(cluster, "that the simulator writes nothing after standing down (kube-controller-manager "
                                    "writes this Deployment's status too)");
  // A new template: generation 2, unobserved for longer than the simulator's delay.
  auto patched = c.MergePatch(kube::resources::kDeployments, ns, "api",
                              {{"spec", {{"template", {{"metadata", {{"annotations", {{"keyroll.dev/keys-hash", "h2"}}}}}}}}}});
  ASSERT_TRUE(patched.ok()) << patched.error().ToString();
  ASSERT_EQ(Generation(c, ns, "api"), 2);
  const std::string before = Rv(c, ns, "api");
  ASSERT_TRUE(WaitSteps(sim, 20));  // 20 polls of ~50 ms: well past the 500 ms delay
  EXPECT_EQ(Rv(c, ns, "api"), before) << "the simulator wrote a status after a controller did";
  EXPECT_TRUE(sim.RolloutsOf("api").empty());
  // The controller completes the rollout: the simulator records it, with the template's hash.
  status(2, 2);
  ASSERT_TRUE(WaitUntil([&] { return !sim.RolloutsOf("api").empty(); }));
  auto rollouts = sim.RolloutsOf("api");
  ASSERT_EQ(rollouts.size(), 1u);
  EXPECT_EQ(rollouts[0].generation, 2);
  EXPECT_EQ(rollouts[0].keys_hash, "h2");
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::testing
