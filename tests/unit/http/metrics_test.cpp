// Metrics: names, labels and values in the Prometheus text format, per-resource removal,
// and the workqueue adapter.
#include "operator/http/metrics.h"

#include <gtest/gtest.h>

#include <set>
#include <sstream>

#include "operator/runtime/queue_metrics.h"
#include "operator/runtime/workqueue.h"
#include "operator/rotation/vocabulary.h"

namespace keyroll::http {
namespace {
namespace KEYROLL_UNITY_ID {

using namespace std::chrono_literals;

bool Contains(const std::string& text, const std::string& needle) {
  return text.find(needle) != std::string::npos;
}

TEST(Metrics, ExposesEveryFamilyWithHelpAndType) {
  Metrics m("1.2.3");
  m.ProviderRequest("qstash", "get_keys", "200");
  m.SetConsumersStale("ns", "a", 0);
  m.SetKeyCurrentSince("ns", "a", std::chrono::system_clock::now());
  m.SetLastRotationTime("ns", "a", std::chrono::system_clock::now());
  std::string text = m.Serialize();
  for (const char* family :
       {"keyroll_rotations_total", "keyroll_reconcile_total", "keyroll_provider_requests_total",
        "keyroll_workqueue_adds_total", "keyroll_workqueue_retries_total"}) {
    EXPECT_TRUE(Contains(text, std::string("# TYPE ") + family + " counter")) << family;
  }
  for (const char* family : {"keyroll_consumers_stale", "keyroll_key_age_seconds",
                             "keyroll_last_rotation_timestamp_seconds", "keyroll_workqueue_depth",
                             "keyroll_leader_is_leader", "keyroll_build_info"}) {
    EXPECT_TRUE(Contains(text, std::string("# TYPE ") + family + " gauge")) << family;
  }
  for (const char* family :
       {"keyroll_reconcile_duration_seconds", "keyroll_workqueue_queue_duration_seconds",
        "keyroll_workqueue_work_duration_seconds"}) {
    EXPECT_TRUE(Contains(text, std::string("# TYPE ") + family + " histogram")) << family;
  }
  EXPECT_TRUE(Contains(text, "keyroll_build_info{version=\"1.2.3\"} 1"));
  EXPECT_TRUE(Contains(text, "keyroll_leader_is_leader 0"));
  EXPECT_TRUE(Contains(text, "keyroll_rotations_total{result=\"failed\"} 0"));
  EXPECT_TRUE(Contains(text, "keyroll_reconcile_total{result=\"error\"} 0"));
}

// The `result` values of one family's series in a scrape.
std::set<std::string> Results(const std::string& text, const std::string& family) {
  std::set<std::string> out;
  const std::string prefix = family + "{result=\"";
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);)
    if (line.rfind(prefix, 0) == 0) out.insert(line.substr(prefix.size(), line.find('"', prefix.size()) - prefix.size()));
  return out;
}

template <typename List>
bool Listed(const List& list, const std::string& value) {
  for (std::string_view v : list)
    if (v == value) return true;
  return false;
}

// A series started at 0 with a result nothing reports would stay 0 forever (it was
// "success" while Decide reports "succeeded"): every pre-created result is one the core
// emits (metric_results_test.cpp checks that the lists are what Decide emits).
TEST(Metrics, PreCreatesOnlyResultsThatAreCounted) {
  namespace vocab = rotation::vocab;
  const std::string text = Metrics().Serialize();
  const auto rotations = Results(text, "keyroll_rotations_total");
  EXPECT_EQ(rotations, (std::set<std::string>{"succeeded", "failed"})) << text;
  for (const auto& r : rotations) EXPECT_TRUE(Listed(vocab::kRotationResults, r)) << r;
  for (const auto& r : Results(text, "keyroll_revocations_total"))
    EXPECT_TRUE(Listed(vocab::kRevokeResults, r)) << r;
  const auto reconciles = Results(text, "keyroll_reconcile_total");
  EXPECT_EQ(reconciles, (std::set<std::string>{"success", "error"})) << text;
  for (const auto& r : reconciles) EXPECT_TRUE(Listed(vocab::kReconcileResults, r)) << r;
}

TEST(Metrics, CountsRotationsReconcilesAndProviderRequests) {
  Metrics m;
  m.RotationDone("succeeded");
  m.RotationDone("succeeded");
  m.RotationDone("failed");
  m.ReconcileDone("success", 0.02);
  m.ReconcileDone("error", 3.0);
  m.ProviderRequest("qstash", "get_keys", "200");
  m.ProviderRequest("qstash", "rotate", "timeout");
  m.SetLeader(true);
  std::string text = m.Serialize();
  EXPECT_TRUE(Contains(text, "keyroll_rotations_total{result=\"succeeded\"} 2"));
  EXPECT_TRUE(Contains(text, "keyroll_rotations_total{result=\"failed\"} 1"));
  EXPECT_TRUE(Contains(text, "keyroll_reconcile_total{result=\"error\"} 1"));
  EXPECT_TRUE(Contains(text, "keyroll_reconcile_duration_seconds_count 2"));
  EXPECT_TRUE(Contains(text, "keyroll_reconcile_duration_seconds_bucket{le=\"0.025\"} 1"));
  EXPECT_TRUE(Contains(text, "keyroll_reconcile_duration_seconds_bucket{le=\"+Inf\"} 2"));
  EXPECT_TRUE(Contains(
      text, "keyroll_provider_requests_total{code=\"200\",op=\"get_keys\",provider=\"qstash\"} 1"));
  EXPECT_TRUE(Contains(
      text, "keyroll_provider_requests_total{code=\"timeout\",op=\"rotate\",provider=\"qstash\"} 1"));
  EXPECT_TRUE(Contains(text, "keyroll_leader_is_leader 1"));
}

TEST(Metrics, PerResourceSeriesAndTheirRemoval) {
  auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000));
  Metrics m("", [&] { return now; });
  m.SetConsumersStale("payments", "qstash", 2);
  m.SetConsumersStale("shop", "qstash", 0);
  m.SetKeyCurrentSince("payments", "qstash", now - 3600s);
  m.SetLastRotationTime("payments", "qstash", now - 3600s);
  std::string text = m.Serialize();
  EXPECT_TRUE(Contains(text, "keyroll_consumers_stale{name=\"qstash\",namespace=\"payments\"} 2"));
  EXPECT_TRUE(Contains(text, "keyroll_consumers_stale{name=\"qstash\",namespace=\"shop\"} 0"));
  EXPECT_TRUE(Contains(text, "keyroll_key_age_seconds{name=\"qstash\",namespace=\"payments\"} 3600"));
  EXPECT_TRUE(Contains(text, "keyroll_last_rotation_timestamp_seconds{name=\"qstash\","
                             "namespace=\"payments\"} 1799996400"));

  now += 60s;  // the key age follows the clock without another Set
  EXPECT_TRUE(Contains(m.Serialize(),
                       "keyroll_key_age_seconds{name=\"qstash\",namespace=\"payments\"} 3660"));

  m.RemoveResource("payments", "qstash");
  m.RemoveResource("nobody", "here");  // removing what was never set is harmless
  text = m.Serialize();
  EXPECT_FALSE(Contains(text, "namespace=\"payments\""));
  EXPECT_TRUE(Contains(text, "keyroll_consumers_stale{name=\"qstash\",namespace=\"shop\"} 0"));
}

// The alerts' gauges: blocked with the gate's reason and back, ready, the maxKeyAge threshold
// only when set; all gone with the resource.
TEST(Metrics, AlertGaugesFollowTheResourceAndGoWithIt) {
  Metrics m;
  m.SetResourceGauges("payments", "qstash", {"ConsumerStale", false, std::chrono::seconds(720 * 3600)});
  m.SetResourceGauges("shop", "auth0", {"", true, std::nullopt});
  std::string text = m.Serialize();
  EXPECT_TRUE(Contains(text, "# TYPE keyroll_rotation_blocked gauge\n"));
  EXPECT_TRUE(Contains(text, "keyroll_rotation_blocked{name=\"qstash\",namespace=\"payments\",reason=\"ConsumerStale\"} 1\n"));
  EXPECT_TRUE(Contains(text, "keyroll_rotation_blocked{name=\"auth0\",namespace=\"shop\",reason=\"\"} 0\n"));
  EXPECT_TRUE(Contains(text, "keyroll_resource_ready{name=\"qstash\",namespace=\"payments\"} 0\n"));
  EXPECT_TRUE(Contains(text, "keyroll_resource_ready{name=\"auth0\",namespace=\"shop\"} 1\n"));
  EXPECT_TRUE(Contains(text, "keyroll_max_key_age_seconds{name=\"qstash\",namespace=\"payments\"} 2592000\n"));
  EXPECT_FALSE(Contains(text, "keyroll_max_key_age_seconds{name=\"auth0\""));

  m.SetResourceGauges("payments", "qstash", {"", true, std::chrono::seconds(720 * 3600)});
  text = m.Serialize();
  EXPECT_FALSE(Contains(text, "ConsumerStale")) << "the blocked series with the old reason is gone";
  EXPECT_TRUE(Contains(text, "keyroll_rotation_blocked{name=\"qstash\",namespace=\"payments\",reason=\"\"} 0\n"));
  EXPECT_TRUE(Contains(text, "keyroll_resource_ready{name=\"qstash\",namespace=\"payments\"} 1\n"));

  m.RemoveResource("payments", "qstash");
  text = m.Serialize();
  EXPECT_FALSE(Contains(text, "namespace=\"payments\""));
  EXPECT_TRUE(Contains(text, "keyroll_resource_ready{name=\"auth0\",namespace=\"shop\"} 1\n"));
}

TEST(Metrics, EveryPerResourceFamilyHasOneHeaderWhateverItsSeries) {
  auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000));
  Metrics m("", [&] { return now; });
  for (int i = 0; i < 50; ++i) {
    m.SetConsumersStale("ns", "r" + std::to_string(i), i);
    m.SetKeyCurrentSince("ns", "r" + std::to_string(i), now - std::chrono::milliseconds(1500));
  }
  std::string text = m.Serialize();
  for (const char* header : {"# TYPE keyroll_consumers_stale gauge", "# HELP keyroll_key_age_seconds "}) {
    const size_t first = text.find(header);
    ASSERT_NE(first, std::string::npos) << header;
    EXPECT_EQ(text.find(header, first + 1), std::string::npos) << header << " appears twice";
  }
  EXPECT_TRUE(Contains(text, "keyroll_consumers_stale{name=\"r49\",namespace=\"ns\"} 49\n"));
  EXPECT_TRUE(Contains(text, "keyroll_key_age_seconds{name=\"r7\",namespace=\"ns\"} 1.5\n"));
  EXPECT_FALSE(Contains(text, "keyroll_last_rotation_timestamp_seconds")) << "no series, no family";
}

TEST(Metrics, LabelValuesAreEscaped) {
  Metrics m;
  m.SetConsumersStale("ns", "we\"ird\nname", 1);
  EXPECT_TRUE(Contains(m.Serialize(), "name=\"we\\\"ird\\nname\""));
}

TEST(Metrics, WorkqueueAdapterFeedsTheQueueFamilies) {
  Metrics m;
  runtime::WorkqueueOptions o;
  o.metrics = runtime::PrometheusQueueMetrics(m);
  runtime::Workqueue q(o);
  q.Add("ns/a");
  q.Add("ns/b");
  q.Add("ns/a");
  EXPECT_TRUE(Contains(m.Serialize(), "keyroll_workqueue_depth 2"));
  auto key = q.TryGet();
  q.AddRateLimited(*key);
  q.Done(*key);
  std::string text = m.Serialize();
  EXPECT_TRUE(Contains(text, "keyroll_workqueue_adds_total 2"));
  EXPECT_TRUE(Contains(text, "keyroll_workqueue_depth 1"));
  EXPECT_TRUE(Contains(text, "keyroll_workqueue_retries_total 1"));
  EXPECT_TRUE(Contains(text, "keyroll_workqueue_queue_duration_seconds_count 1"));
  EXPECT_TRUE(Contains(text, "keyroll_workqueue_work_duration_seconds_count 1"));
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::http
