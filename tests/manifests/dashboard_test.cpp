// keyroll's Grafana dashboard (helm/keyroll/files/grafana/keyroll-dashboard.json): it has the
// panels operators need, every query parses (promtool checks them as the expressions of a
// generated rule file, since `promtool query` needs a server) and reads only metrics keyroll
// exports.
#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/manifests/manifest_files.h"
#include "tests/manifests/promql_names.h"

namespace keyroll::testing::manifests {
namespace {
namespace KEYROLL_UNITY_ID {

nlohmann::json Dashboard() {
  return nlohmann::json::parse(ReadFile(SourcePath("helm/keyroll/files/grafana/keyroll-dashboard.json")));
}

struct Query {
  std::string panel, expr;
};

// Every query with Grafana's interval variables replaced by a duration, as Grafana sends it.
std::vector<Query> Queries() {
  std::vector<Query> out;
  const nlohmann::json dashboard = Dashboard();  // the loop must not iterate a temporary
  for (const auto& panel : dashboard["panels"]) {
    for (const auto& target : panel.value("targets", nlohmann::json::array())) {
      std::string expr = target.value("expr", "");
      expr = std::regex_replace(expr, std::regex(R"(\$__(rate_)?interval)"), "5m");
      out.push_back({panel.value("title", ""), expr});
    }
  }
  return out;
}

TEST(Dashboard, HasThePanelsOperatorsNeed) {
  std::set<std::string> titles, rows;
  std::set<int> ids;
  const nlohmann::json dashboard = Dashboard();
  for (const auto& panel : dashboard["panels"]) {
    EXPECT_TRUE(ids.insert(panel["id"].get<int>()).second) << "duplicate panel id";
    EXPECT_TRUE(panel.contains("gridPos"));
    (panel["type"] == "row" ? rows : titles).insert(panel["title"].get<std::string>());
    if (panel["type"] != "row") {
      EXPECT_FALSE(panel["targets"].empty()) << panel["title"];
    }
  }
  for (const char* title : {"Resources by state", "Key age against maxKeyAge", "Rotations over time",
                            "Why rotations wait", "Consumer rollouts", "Provider requests",
                            "Provider errors", "Reconcile latency", "Workqueue depth"}) {
    EXPECT_TRUE(titles.count(title)) << title;
  }
  EXPECT_EQ(rows, (std::set<std::string>{"Resources", "Rotations", "Consumers", "Providers",
                                         "Controller"}));
  EXPECT_EQ(dashboard["uid"], "keyroll");
}

TEST(Dashboard, EveryQueryParses) {
  const std::string promtool = FindOnPath("promtool");
  ASSERT_FALSE(promtool.empty()) << "promtool (Debian's prometheus package, scripts/install-deps)";
  std::string rules = "groups:\n  - name: dashboard\n    rules:\n";
  int n = 0;
  for (const Query& q : Queries()) {
    rules += "      - record: dashboard:query_" + std::to_string(++n) + "\n        expr: " +
             nlohmann::json(q.expr).dump() + "\n";
  }
  ASSERT_GT(n, 15);
  TempDir dir;
  CommandResult run = RunCommand({promtool, "check", "rules", dir.Write("dashboard.rules.yaml", rules)});
  EXPECT_EQ(run.exit_code, 0) << run.output << rules;
  EXPECT_NE(run.output.find("SUCCESS: " + std::to_string(n) + " rules found"), std::string::npos)
      << run.output;
}

TEST(Dashboard, EveryQueryReadsOnlyMetricsKeyrollExports) {
  const std::set<std::string> exported = ExportedMetrics();
  std::set<std::string> used_anywhere;
  for (const Query& q : Queries()) {
    const std::set<std::string> used = MetricNamesIn(q.expr);
    for (const std::string& name : used) {
      used_anywhere.insert(name);
      EXPECT_TRUE(exported.count(name)) << q.panel << ": " << name << " is not exported";
    }
  }
  for (const char* name : {"keyroll_key_age_seconds", "keyroll_rotations_total",
                           "keyroll_consumers_stale", "keyroll_provider_requests_total",
                           "keyroll_reconcile_duration_seconds_bucket", "keyroll_workqueue_depth"}) {
    EXPECT_TRUE(used_anywhere.count(name)) << name;
  }
}

TEST(Dashboard, QueriesUseThePrometheusDatasourceVariable) {
  const nlohmann::json dashboard = Dashboard();
  for (const auto& panel : dashboard["panels"]) {
    if (panel["type"] == "row") continue;
    EXPECT_EQ(panel["datasource"]["uid"], "${datasource}") << panel["title"];
  }
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::testing::manifests
