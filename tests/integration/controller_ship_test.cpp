// What a platform team relies on when it runs keyroll for real: every metric DESIGN.md names
// is exposed with sane values after a rotation, and with two replicas a kill -9 of the leader
// hands the work to the standby once the Lease runs out.
#include <regex>

#include "tests/integration/controller_fixture.h"

namespace keyroll::testing {
namespace {
namespace KEYROLL_UNITY_ID {

const kube::ResourceRef& kSkr = kube::resources::kSigningKeyRotations;

// The value of the first sample whose line starts with `series` (name plus labels), or -1.
double Sample(const std::string& text, const std::string& series) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(series, 0) == 0 && line.size() > series.size() &&
        (line[series.size()] == ' ' || line[series.size()] == '{' || series.back() == '}')) {
      return std::stod(line.substr(line.rfind(' ') + 1));
    }
  }
  return -1;
}

TEST_F(ControllerTest, EveryDesignMetricIsExposedWithSaneValuesAfterARotation) {
  StartKeyroll();
  std::string metrics = LoggedAddress(Log(), "metrics server listening");
  CreateSkr("payments", QStashSpec());
  ASSERT_TRUE(WaitUntil([&] { return ConditionIs("payments", "Ready", "True"); }, 30s)) << Log();
  ASSERT_TRUE(client().MergePatch(kSkr, ns(), "payments", {{"spec", {{"rotation", {{"requestID", "r1"}}}}}}));
  ASSERT_TRUE(WaitUntil([&] { return Get(kSkr, "payments").value()["status"].value("rotationCount", 0) == 1; }, 30s))
      << Log();

  std::string text;
  ASSERT_TRUE(WaitUntil([&] {
    text = HttpGet(metrics, "/metrics").second;
    return Sample(text, "keyroll_rotations_total{result=\"succeeded\"}") == 1;
  }, 20s)) << text;
  const std::string res = "{name=\"payments\",namespace=\"" + ns() + "\"}";  // labels sorted
  EXPECT_GE(Sample(text, "keyroll_reconcile_total{result=\"success\"}"), 2) << text;
  EXPECT_GE(Sample(text, "keyroll_reconcile_duration_seconds_count"), 2) << text;
  EXPECT_NE(text.find("keyroll_reconcile_duration_seconds_bucket{le=\"+Inf\"}"), std::string::npos) << text;
  EXPECT_TRUE(std::regex_search(text, std::regex(R"(keyroll_provider_requests_total\{[^}]*op="rotate"[^}]*\} 1)")))
      << text;
  EXPECT_TRUE(std::regex_search(text, std::regex(R"(keyroll_provider_requests_total\{[^}]*op="get_keys"[^}]*\} [1-9])")))
      << text;
  EXPECT_EQ(Sample(text, "keyroll_consumers_stale" + res), 0) << text;
  double age = Sample(text, "keyroll_key_age_seconds" + res);
  EXPECT_GE(age, 0) << text;
  EXPECT_LT(age, 600) << text;  // the current key became current during this test
  double last = Sample(text, "keyroll_last_rotation_timestamp_seconds" + res);
  double now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  EXPECT_GT(last, now - 600) << text;
  EXPECT_LE(last, now + 5) << text;
  EXPECT_GE(Sample(text, "keyroll_workqueue_depth"), 0) << text;
  EXPECT_GE(Sample(text, "keyroll_workqueue_adds_total"), 1) << text;
  EXPECT_EQ(Sample(text, "keyroll_leader_is_leader"), 1) << text;
}

TEST_F(ControllerTest, KillingTheLeaderHandsTheWorkToTheStandbyAfterTheLease) {
  std::vector<std::string> le = {"--leader-elect", "--leader-election-namespace", ns(), "--lease-duration", "4s",
                                 "--renew-deadline", "3s", "--retry-period", "1s"};
  auto first = LaunchKeyroll("first.log", le);
  ASSERT_TRUE(WaitUntil([&] { return first->Output().find("became leader") != std::string::npos; }, 30s))
      << first->Output();
  auto second = LaunchKeyroll("second.log", le);
  ASSERT_TRUE(WaitUntil([&] { return second->Output().find("probe server listening") != std::string::npos; }, 30s));
  CreateSkr("payments", QStashSpec());
  ASSERT_TRUE(WaitUntil([&] { return ConditionIs("payments", "Ready", "True"); }, 30s)) << first->Output();

  first->Kill();  // kill -9: the Lease is not released, the standby must wait for it to expire
  ASSERT_TRUE(WaitUntil([&] { return second->Output().find("became leader") != std::string::npos; }, 30s))
      << second->Output();
  ASSERT_TRUE(client().MergePatch(kSkr, ns(), "payments", {{"spec", {{"rotation", {{"requestID", "r1"}}}}}}));
  ASSERT_TRUE(WaitUntil([&] {
    return Get(kSkr, "payments").value()["status"].value("rotationCount", 0) == 1;
  }, 30s)) << second->Output();
  EXPECT_EQ(qstash_->Account(token_)->rotations, 1);  // exactly one, by the new leader
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::testing
