// keyroll's wiring as a process: probe and metrics servers on OS-chosen ports, provider
// requests counted in /metrics, a bad kubeconfig, and --leader-elect (one leader works, a
// standby is ready and takes over when the leader stops).
#include <tuple>

#include "tests/integration/controller_fixture.h"

namespace keyroll::testing {
namespace {
namespace KEYROLL_UNITY_ID {

const kube::ResourceRef& kSkr = kube::resources::kSigningKeyRotations;

TEST_F(ControllerTest, ServesProbesAndCountsProviderRequestsInMetrics) {
  StartKeyroll();
  std::string probes = LoggedAddress(Log(), "probe server listening");
  std::string metrics = LoggedAddress(Log(), "metrics server listening");
  ASSERT_FALSE(probes.empty()) << Log();
  ASSERT_FALSE(metrics.empty()) << Log();
  EXPECT_EQ(probes.rfind("127.0.0.1:", 0), 0u) << probes;
  EXPECT_NE(probes, "127.0.0.1:0");
  EXPECT_EQ(HttpGet(probes, "/readyz").first, 200);
  EXPECT_EQ(HttpGet(probes, "/healthz").first, 200);

  CreateSkr("payments", QStashSpec());
  ASSERT_TRUE(WaitUntil([&] { return ConditionIs("payments", "Ready", "True"); }, 30s)) << Log();
  // The resource's gauges follow its status write in the same reconcile: wait for them.
  int code = 0;
  std::string text;
  WaitUntil([&] {
    std::tie(code, text) = HttpGet(metrics, "/metrics");
    return text.find("keyroll_key_age_seconds{") != std::string::npos;
  }, 10s);
  ASSERT_EQ(code, 200);
  EXPECT_NE(text.find("keyroll_provider_requests_total{"), std::string::npos) << text;
  EXPECT_NE(text.find("op=\"get_keys\""), std::string::npos) << text;
  EXPECT_NE(text.find("keyroll_reconcile_total{result=\"success\"}"), std::string::npos) << text;
  EXPECT_NE(text.find("keyroll_key_age_seconds{"), std::string::npos) << text;
  EXPECT_NE(text.find("keyroll_leader_is_leader 1"), std::string::npos) << text;
}

TEST_F(ControllerTest, BadKubeconfigIsAClearErrorAndExitCodeOne) {
  std::string bad = cluster_->temp_dir().Write("bad-kubeconfig", "this: is: not: a kubeconfig\n");
  ProcessOptions po;
  po.argv = {BuiltBinary("keyroll"), "--kubeconfig", bad, "--metrics-bind-address", "0",
             "--health-probe-bind-address", "0"};
  po.log_path = cluster_->temp_dir().File("bad.log");
  Process p(po);
  auto status = p.Wait(20s);
  ASSERT_TRUE(status);
  EXPECT_TRUE(WIFEXITED(*status));
  EXPECT_EQ(WEXITSTATUS(*status), 1);
  EXPECT_NE(p.Output().find("cannot load the Kubernetes configuration"), std::string::npos) << p.Output();
}

TEST_F(ControllerTest, WithLeaderElectionOnlyTheLeaderWorksAndAStandbyTakesOver) {
  std::vector<std::string> le = {"--leader-elect", "--leader-election-namespace", ns(), "--lease-duration", "4s",
                                 "--renew-deadline", "3s", "--retry-period", "1s"};
  auto first = LaunchKeyroll("first.log", le);
  ASSERT_TRUE(WaitUntil([&] { return first->Output().find("became leader") != std::string::npos; }, 30s))
      << first->Output();
  auto second = LaunchKeyroll("second.log", le);
  std::string standby_probes = LoggedAddress(second->Output(), "probe server listening");
  EXPECT_EQ(HttpGet(standby_probes, "/readyz").first, 200);  // a standby is ready too

  CreateSkr("payments", QStashSpec());
  ASSERT_TRUE(WaitUntil([&] { return ConditionIs("payments", "Ready", "True"); }, 30s)) << first->Output();
  EXPECT_EQ(second->Output().find("became leader"), std::string::npos);
  EXPECT_EQ(second->Output().find("status updated"), std::string::npos) << "the standby wrote";

  // The leader stops cleanly (releasing the Lease); the standby takes over and works.
  auto status = first->Stop(10s);
  ASSERT_TRUE(status);
  EXPECT_EQ(WEXITSTATUS(*status), 0);
  ASSERT_TRUE(WaitUntil([&] { return second->Output().find("became leader") != std::string::npos; }, 30s))
      << second->Output();
  auto patched = client().MergePatch(kSkr, ns(), "payments", {{"spec", {{"rotation", {{"requestID", "r1"}}}}}});
  ASSERT_TRUE(patched);
  ASSERT_TRUE(WaitUntil([&] {
    return Get(kSkr, "payments").value()["status"].value("rotationCount", 0) == 1;
  }, 30s)) << second->Output();
  EXPECT_EQ(qstash_->Account(token_)->rotations, 1);
  for (const auto& s : qstash_->AllSecrets()) {
    EXPECT_EQ(first->Output().find(s), std::string::npos);
    EXPECT_EQ(second->Output().find(s), std::string::npos);
  }
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::testing
