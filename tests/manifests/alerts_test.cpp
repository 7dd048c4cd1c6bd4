// keyroll's alerts (helm/keyroll/files/prometheus/keyroll-alerts.yaml): promtool accepts the
// rules and passes their unit tests (alerts/keyroll-alerts.test.yaml), every alert the
// operators need is there with a severity, a runbook line and a test that fires it, every
// metric an alert reads is one keyroll exports, and deploy/components/alerts carries the same
// rules as the chart.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <string>

#include "tests/manifests/manifest_files.h"
#include "tests/manifests/promql_names.h"

namespace keyroll::testing::manifests {
namespace {
namespace KEYROLL_UNITY_ID {

const char* const kRules = "helm/keyroll/files/prometheus/keyroll-alerts.yaml";
const char* const kRuleTests = "tests/manifests/alerts/keyroll-alerts.test.yaml";

std::string Promtool() {
  const std::string promtool = FindOnPath("promtool");
  EXPECT_FALSE(promtool.empty()) << "promtool (Debian's prometheus package, scripts/install-deps)";
  return promtool;
}

YAML::Node Rules() { return YAML::LoadFile(SourcePath(kRules))["groups"][0]["rules"]; }

TEST(Alerts, PromtoolAcceptsTheRules) {
  const std::string promtool = Promtool();
  if (promtool.empty()) return;
  CommandResult run = RunCommand({promtool, "check", "rules", SourcePath(kRules)});
  EXPECT_EQ(run.exit_code, 0) << run.output;
}

TEST(Alerts, PromtoolUnitTestsPass) {
  const std::string promtool = Promtool();
  if (promtool.empty()) return;
  CommandResult run = RunCommand({promtool, "test", "rules", SourcePath(kRuleTests)});
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("SUCCESS"), std::string::npos) << run.output;
}

TEST(Alerts, EveryNeededAlertIsThereWithSeverityAndRunbook) {
  std::set<std::string> names;
  for (const YAML::Node& rule : Rules()) {
    const std::string name = rule["alert"].as<std::string>("");
    ASSERT_FALSE(name.empty()) << "recording rules belong elsewhere";
    names.insert(name);
    const std::string severity = rule["labels"]["severity"].as<std::string>("");
    EXPECT_TRUE(severity == "warning" || severity == "critical") << name;
    EXPECT_GT(rule["annotations"]["runbook"].as<std::string>("").size(), 20u) << name;
    EXPECT_FALSE(rule["annotations"]["summary"].as<std::string>("").empty()) << name;
    EXPECT_FALSE(rule["for"].as<std::string>("").empty()) << name << ": fires only after a while";
  }
  EXPECT_EQ(names, (std::set<std::string>{"KeyrollRotationBlocked", "KeyrollConsumersStale",
                                          "KeyrollKeyTooOld", "KeyrollProviderErrors",
                                          "KeyrollResourceNotReady", "KeyrollNoLeader",
                                          "KeyrollAbsent"}));
}

TEST(Alerts, ChartReadmeListsEveryAlertWithItsFor) {
  const std::string readme = ReadFile(SourcePath("helm/keyroll/README.md"));
  for (const YAML::Node& rule : Rules()) {
    const std::string row = "| " + rule["alert"].as<std::string>() + " |";
    const std::size_t at = readme.find(row);
    ASSERT_NE(at, std::string::npos) << row;
    const std::string line = readme.substr(at, readme.find('\n', at) - at);
    EXPECT_NE(line.find("| " + rule["for"].as<std::string>() + " | " +
                        rule["labels"]["severity"].as<std::string>() + " |"),
              std::string::npos)
        << line;
  }
}

TEST(Alerts, EveryAlertHasATestThatFiresItAndOneThatDoesNot) {
  std::set<std::string> fired, quiet;
  for (const YAML::Node& test : YAML::LoadFile(SourcePath(kRuleTests))["tests"]) {
    for (const YAML::Node& check : test["alert_rule_test"]) {
      const std::string name = check["alertname"].as<std::string>();
      (check["exp_alerts"].size() > 0 ? fired : quiet).insert(name);
    }
  }
  for (const YAML::Node& rule : Rules()) {
    const std::string name = rule["alert"].as<std::string>();
    EXPECT_TRUE(fired.count(name)) << name << " has no test that fires it";
    EXPECT_TRUE(quiet.count(name)) << name << " has no test where it stays quiet";
  }
}

TEST(Alerts, EveryMetricAnAlertReadsIsExported) {
  const std::set<std::string> exported = ExportedMetrics();
  ASSERT_GT(exported.size(), 10u);
  for (const YAML::Node& rule : Rules()) {
    const std::string expr = rule["expr"].as<std::string>();
    const std::set<std::string> used = MetricNamesIn(expr);
    EXPECT_FALSE(used.empty()) << expr;
    for (const std::string& name : used) {
      EXPECT_TRUE(exported.count(name)) << rule["alert"] << " reads " << name
                                        << ", which keyroll does not export";
    }
  }
}

TEST(Alerts, MetricNamesAreFoundInExpressions) {
  EXPECT_EQ(MetricNamesIn(R"(sum by (provider, op) (rate(a_total{code!~"2.."}[5m])) > 1e3)"),
            std::set<std::string>{"a_total"});
  EXPECT_EQ(MetricNamesIn("absent(b) or max(c) < 0.5 and on(x) d offset 5m"),
            (std::set<std::string>{"b", "c", "d"}));
}

TEST(Alerts, KustomizeComponentHasTheChartsRules) {
  const std::string kubectl = FindOnPath("kubectl");
  ASSERT_FALSE(kubectl.empty()) << "kubectl (with built-in kustomize) must be on PATH";
  TempDir dir;
  const std::string deploy =
      std::filesystem::relative(SourcePath("deploy"), dir.path()).string();
  dir.Write("kustomization.yaml",
            "resources: [" + deploy + "]\ncomponents: [" + deploy + "/components/alerts]\n");
  CommandResult run = RunCommand({kubectl, "kustomize", dir.path(), "--output", dir.File("all.yaml")});
  ASSERT_EQ(run.exit_code, 0) << run.output;
  int found = 0;
  for (const YAML::Node& doc : LoadDocuments(dir.File("all.yaml"))) {
    if (doc["kind"].as<std::string>() != "PrometheusRule") continue;
    ++found;
    EXPECT_EQ(doc["metadata"]["namespace"].as<std::string>(""), "keyroll-system");
    EXPECT_TRUE(SameData(doc["spec"], YAML::LoadFile(SourcePath(kRules))))
        << "run scripts/sync-alerts";
  }
  EXPECT_EQ(found, 1);
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::testing::manifests
