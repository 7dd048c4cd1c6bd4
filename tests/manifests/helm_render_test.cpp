// helm/keyroll/ rendered by a real Helm (scripts/install-tools): `helm lint`, then `helm
// template` for the defaults and each variant (watchNamespace, no leader election,
// ServiceMonitor, PodDisruptionBudget, no CRDs, alerts and dashboard), every rendering applied
// with kubectl to the fake API server, and the rendered RBAC equal to deploy/'s.
// The fake serves no RBAC, PodDisruptionBudget or Prometheus Operator kinds: they are applied as
// stand-in CRDs (stand-in-crds.yaml), which checks their group, version, kind and scope; their
// fields are checked here.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "tests/manifests/manifest_files.h"
#include "tests/support/cluster.h"

namespace keyroll::testing::manifests {
namespace {
namespace KEYROLL_UNITY_ID {

std::string Helm() {
  const std::string helm = ToolPath("bin/helm");
  EXPECT_FALSE(helm.empty()) << "helm: run scripts/install-tools";
  return helm;
}

struct Rendering {
  CommandResult run;
  std::vector<YAML::Node> docs;
  std::string file;
};

Rendering Render(const TempDir& dir, const std::vector<std::string>& sets) {
  Rendering r;
  const std::string helm = Helm();
  if (helm.empty()) return r;
  std::vector<std::string> argv = {helm, "template", "keyroll", SourcePath("helm/keyroll"),
                                   "--namespace", "keyroll-system"};
  for (const std::string& set : sets) argv.insert(argv.end(), {"--set", set});
  r.run = RunCommand(argv);
  r.file = dir.Write("rendered.yaml", r.run.output);
  if (r.run.exit_code == 0) r.docs = LoadDocuments(r.file);
  return r;
}

std::multiset<std::string> Kinds(const std::vector<YAML::Node>& docs) {
  std::multiset<std::string> kinds;
  for (const YAML::Node& doc : docs) kinds.insert(doc["kind"].as<std::string>());
  return kinds;
}

YAML::Node Only(const std::vector<YAML::Node>& docs, const std::string& kind) {
  std::vector<YAML::Node> found;
  for (const YAML::Node& doc : docs) {
    if (doc["kind"].as<std::string>() == kind) found.push_back(doc);
  }
  EXPECT_EQ(found.size(), 1u) << kind;
  return found.empty() ? YAML::Node() : found[0];
}

TEST(HelmRender, LintIsClean) {
  const std::string helm = Helm();
  if (helm.empty()) return;
  CommandResult run = RunCommand({helm, "lint", "--strict", SourcePath("helm/keyroll")});
  EXPECT_EQ(run.exit_code, 0) << run.output;
  CommandResult version = RunCommand({helm, "version", "--short"});
  std::cout << "  helm " << version.output;
}

struct Variant {
  std::string name;
  std::vector<std::string> sets;
  std::multiset<std::string> kinds;
};

const std::multiset<std::string> kBase = {"ServiceAccount", "Deployment", "Service"};

std::multiset<std::string> With(std::multiset<std::string> kinds, std::vector<std::string> more) {
  kinds.insert(more.begin(), more.end());
  return kinds;
}

const std::vector<std::string> kClusterRbac = {"ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"};

std::vector<Variant> Variants() {
  std::vector<std::string> defaults = kClusterRbac;
  defaults.push_back("CustomResourceDefinition");
  return {
      {"Defaults", {}, With(kBase, defaults)},
      {"WatchNamespace", {"watchNamespace=team-a"},
       With(kBase, {"Role", "RoleBinding", "Role", "RoleBinding", "CustomResourceDefinition"})},
      {"NoLeaderElection", {"leaderElection.enabled=false"},
       With(kBase, {"ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition"})},
      {"ServiceMonitor", {"metrics.serviceMonitor.enabled=true"}, With(With(kBase, defaults), {"ServiceMonitor"})},
      {"PodDisruptionBudget", {"podDisruptionBudget.enabled=true", "replicaCount=2"},
       With(With(kBase, defaults), {"PodDisruptionBudget"})},
      {"NoCrds", {"installCRDs=false"}, With(kBase, kClusterRbac)},
      {"NoArgoRollouts", {"argoRollouts.enabled=false"}, With(kBase, defaults)},
      {"PodsList", {"podsList.enabled=true"}, With(kBase, defaults)},
      {"AlertsAndDashboard", {"prometheusRule.enabled=true", "grafanaDashboard.enabled=true"},
       With(With(kBase, defaults), {"PrometheusRule", "ConfigMap"})},
  };
}

// Test names show the variant's name, not its bytes.
void PrintTo(const Variant& v, std::ostream* os) { *os << v.name; }

class HelmVariant : public ::testing::TestWithParam<Variant> {};

// Lints and renders the variant and applies it to a fresh fake API server.
TEST_P(HelmVariant, RendersAndAppliesToTheFakeApiServer) {
  const Variant& v = GetParam();
  std::vector<std::string> lint = {Helm(), "lint", "--strict", SourcePath("helm/keyroll")};
  for (const std::string& set : v.sets) lint.insert(lint.end(), {"--set", set});
  CommandResult linted = RunCommand(lint);
  EXPECT_EQ(linted.exit_code, 0) << linted.output;
  TempDir dir;
  Rendering r = Render(dir, v.sets);
  ASSERT_EQ(r.run.exit_code, 0) << r.run.output;
  EXPECT_EQ(Kinds(r.docs), v.kinds);
  for (const YAML::Node& doc : r.docs) {
    const std::string kind = doc["kind"].as<std::string>();
    if (kind != "CustomResourceDefinition" && kind != "ClusterRole" && kind != "ClusterRoleBinding") {
      EXPECT_FALSE(doc["metadata"]["namespace"].as<std::string>("").empty()) << kind;
    }
  }

  const std::string kubectl = FindOnPath("kubectl");
  ASSERT_FALSE(kubectl.empty());
  TestClusterOptions options;
  options.fake_args = {"--crd", SourcePath("tests/manifests/stand-in-crds.yaml")};
  TestCluster cluster(options);
  if (!cluster.is_fake()) GTEST_SKIP() << "applies cluster-wide objects: only to the fake API server";
  const std::string kc = "--kubeconfig=" + cluster.kubeconfig_path();
  for (const char* ns : {"keyroll-system", "team-a"}) {
    CommandResult created = RunCommand({kubectl, kc, "create", "namespace", ns});
    ASSERT_EQ(created.exit_code, 0) << created.output;
  }
  CommandResult applied = RunCommand({kubectl, kc, "apply", "-f", r.file});
  ASSERT_EQ(applied.exit_code, 0) << applied.output;
  // Every object was created, and reads back.
  std::size_t created = 0;
  for (std::size_t at = 0; (at = applied.output.find(" created\n", at)) != std::string::npos; ++at) ++created;
  EXPECT_EQ(created, r.docs.size()) << applied.output;
  CommandResult got = RunCommand({kubectl, kc, "get", "-f", r.file, "-o", "name"});
  EXPECT_EQ(got.exit_code, 0) << got.output;
  EXPECT_EQ(static_cast<std::size_t>(std::count(got.output.begin(), got.output.end(), '\n')),
            r.docs.size())
      << got.output;
}

INSTANTIATE_TEST_SUITE_P(Chart, HelmVariant, ::testing::ValuesIn(Variants()),
                         [](const auto& info) { return info.param.name; });

// deploy/ rendered by kustomize, for comparison.
std::vector<YAML::Node> Kustomized(const TempDir& dir) {
  const std::string kubectl = FindOnPath("kubectl");
  CommandResult run = RunCommand({kubectl, "kustomize", SourcePath("deploy"), "--output", dir.File("deploy.yaml")});
  EXPECT_EQ(run.exit_code, 0) << run.output;
  return run.exit_code == 0 ? LoadDocuments(dir.File("deploy.yaml")) : std::vector<YAML::Node>{};
}

TEST(HelmRender, RbacEqualsDeploy) {
  TempDir dir;
  const std::vector<YAML::Node> deploy = Kustomized(dir);
  Rendering chart = Render(dir, {});
  ASSERT_EQ(chart.run.exit_code, 0) << chart.run.output;
  EXPECT_TRUE(SameData(Only(chart.docs, "ClusterRole")["rules"], Only(deploy, "ClusterRole")["rules"]));
  EXPECT_TRUE(SameData(Only(chart.docs, "Role")["rules"], Only(deploy, "Role")["rules"]));
  // Watching one namespace grants the same rules there, as a Role.
  TempDir one;
  Rendering scoped = Render(one, {"watchNamespace=team-a"});
  ASSERT_EQ(scoped.run.exit_code, 0) << scoped.run.output;
  int in_team_a = 0;
  for (const YAML::Node& doc : scoped.docs) {
    if (doc["kind"].as<std::string>() != "Role" || doc["metadata"]["namespace"].as<std::string>() != "team-a") continue;
    ++in_team_a;
    EXPECT_TRUE(SameData(doc["rules"], Only(deploy, "ClusterRole")["rules"]));
  }
  EXPECT_EQ(in_team_a, 1);
}

// argoRollouts.enabled=false leaves out exactly the argoproj.io rule, cluster-wide and in the
// watched namespace's Role; the default keeps it (RbacEqualsDeploy).
TEST(HelmRender, ArgoRolloutsRbacIsAValue) {
  TempDir dir;
  const std::vector<YAML::Node> deploy = Kustomized(dir);
  YAML::Node without_argo;
  for (const YAML::Node& rule : Only(deploy, "ClusterRole")["rules"])
    if (rule["apiGroups"][0].as<std::string>() != "argoproj.io") without_argo.push_back(rule);
  ASSERT_EQ(without_argo.size() + 1, Only(deploy, "ClusterRole")["rules"].size());
  Rendering off = Render(dir, {"argoRollouts.enabled=false"});
  ASSERT_EQ(off.run.exit_code, 0) << off.run.output;
  EXPECT_TRUE(SameData(Only(off.docs, "ClusterRole")["rules"], without_argo)) << Only(off.docs, "ClusterRole");
  TempDir one;
  Rendering scoped = Render(one, {"argoRollouts.enabled=false", "watchNamespace=team-a"});
  ASSERT_EQ(scoped.run.exit_code, 0) << scoped.run.output;
  int in_team_a = 0;
  for (const YAML::Node& doc : scoped.docs) {
    if (doc["kind"].as<std::string>() != "Role" || doc["metadata"]["namespace"].as<std::string>() != "team-a") continue;
    ++in_team_a;
    EXPECT_TRUE(SameData(doc["rules"], without_argo)) << doc;
  }
  EXPECT_EQ(in_team_a, 1);
}

// podsList.enabled=true adds exactly the pods list rule, as deploy/components/list-pods adds it
// to deploy/; the default (off) has no pods rule at all (RbacEqualsDeploy).
TEST(HelmRender, PodsListRbacIsAValueAsTheComponentIs) {
  TempDir dir;
  const std::vector<YAML::Node> deploy = Kustomized(dir);
  for (const YAML::Node& rule : Only(deploy, "ClusterRole")["rules"])
    for (const YAML::Node& r : rule["resources"]) EXPECT_NE(r.as<std::string>(), "pods") << "pods list is opt-in";
  const std::string kubectl = FindOnPath("kubectl");
  TempDir overlay;
  const std::string base = std::filesystem::relative(SourcePath("deploy"), overlay.path()).string();
  overlay.Write("kustomization.yaml", "resources: [" + base + "]\ncomponents: [" + base + "/components/list-pods]\n");
  CommandResult run = RunCommand({kubectl, "kustomize", overlay.path(), "--output", overlay.File("all.yaml")});
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const YAML::Node with_pods = Only(LoadDocuments(overlay.File("all.yaml")), "ClusterRole")["rules"];
  ASSERT_EQ(with_pods.size(), Only(deploy, "ClusterRole")["rules"].size() + 1);
  const YAML::Node added = with_pods[with_pods.size() - 1];
  EXPECT_EQ(added["resources"][0].as<std::string>(), "pods");
  ASSERT_EQ(added["verbs"].size(), 1u);
  EXPECT_EQ(added["verbs"][0].as<std::string>(), "list");
  Rendering on = Render(dir, {"podsList.enabled=true"});
  ASSERT_EQ(on.run.exit_code, 0) << on.run.output;
  EXPECT_TRUE(SameData(Only(on.docs, "ClusterRole")["rules"], with_pods)) << Only(on.docs, "ClusterRole");
  TempDir one;
  Rendering scoped = Render(one, {"podsList.enabled=true", "watchNamespace=team-a"});
  ASSERT_EQ(scoped.run.exit_code, 0) << scoped.run.output;
  int in_team_a = 0;
  for (const YAML::Node& doc : scoped.docs) {
    if (doc["kind"].as<std::string>() != "Role" || doc["metadata"]["namespace"].as<std::string>() != "team-a") continue;
    ++in_team_a;
    EXPECT_TRUE(SameData(doc["rules"], with_pods)) << doc;
  }
  EXPECT_EQ(in_team_a, 1);
}

TEST(HelmRender, DeploymentMatchesDeploy) {
  TempDir dir;
  const std::vector<YAML::Node> deploy = Kustomized(dir);
  Rendering chart = Render(dir, {});
  ASSERT_EQ(chart.run.exit_code, 0) << chart.run.output;
  YAML::Node ours = Only(chart.docs, "Deployment")["spec"]["template"]["spec"];
  YAML::Node theirs = Only(deploy, "Deployment")["spec"]["template"]["spec"];
  for (const char* field : {"securityContext"}) EXPECT_TRUE(SameData(ours[field], theirs[field])) << field;
  YAML::Node c = ours["containers"][0], d = theirs["containers"][0];
  for (const char* field : {"image", "ports", "securityContext", "resources", "livenessProbe",
                            "readinessProbe", "env"}) {
    EXPECT_TRUE(SameData(c[field], d[field])) << field << "\nchart:\n" << c[field] << "\ndeploy:\n" << d[field];
  }
  // The chart also spells out two flags deploy/ leaves at keyroll's defaults: the same values.
  std::vector<std::string> args;
  for (const auto& arg : c["args"]) args.push_back(arg.as<std::string>());
  std::vector<std::string> expected;
  for (const auto& arg : d["args"]) expected.push_back(arg.as<std::string>());
  expected.insert(expected.end() - 1, {"--max-concurrent-reconciles=4", "--log-level=info"});
  EXPECT_EQ(args, expected);
  const std::string help = RunCommand({BuiltBinary("keyroll"), "--help"}).output;
  EXPECT_NE(help.find("--max-concurrent-reconciles INT=4"), std::string::npos) << help;
  EXPECT_NE(help.find("--log-level TEXT=info"), std::string::npos) << help;
}

TEST(HelmRender, ServiceMonitorScrapesTheMetricsService) {
  TempDir dir;
  Rendering r = Render(dir, {"metrics.serviceMonitor.enabled=true"});
  ASSERT_EQ(r.run.exit_code, 0) << r.run.output;
  YAML::Node monitor = Only(r.docs, "ServiceMonitor"), service = Only(r.docs, "Service");
  EXPECT_EQ(monitor["apiVersion"].as<std::string>(), "monitoring.coreos.com/v1");
  EXPECT_EQ(monitor["spec"]["endpoints"][0]["port"].as<std::string>(), service["spec"]["ports"][0]["name"].as<std::string>());
  for (const auto& label : monitor["spec"]["selector"]["matchLabels"]) {
    EXPECT_EQ(service["metadata"]["labels"][label.first.as<std::string>()].as<std::string>(""),
              label.second.as<std::string>());
  }
}

TEST(HelmRender, PodDisruptionBudgetSelectsTheOperator) {
  TempDir dir;
  Rendering r = Render(dir, {"podDisruptionBudget.enabled=true"});
  ASSERT_EQ(r.run.exit_code, 0) << r.run.output;
  YAML::Node pdb = Only(r.docs, "PodDisruptionBudget");
  EXPECT_EQ(pdb["apiVersion"].as<std::string>(), "policy/v1");
  EXPECT_EQ(pdb["spec"]["minAvailable"].as<int>(), 1);
  YAML::Node labels = Only(r.docs, "Deployment")["spec"]["template"]["metadata"]["labels"];
  ASSERT_GT(pdb["spec"]["selector"]["matchLabels"].size(), 0u);
  for (const auto& label : pdb["spec"]["selector"]["matchLabels"]) {
    EXPECT_EQ(labels[label.first.as<std::string>()].as<std::string>(""), label.second.as<std::string>());
  }
}

TEST(HelmRender, AlertsAndDashboardAreTheShippedFiles) {
  TempDir dir;
  Rendering r = Render(dir, {"prometheusRule.enabled=true", "grafanaDashboard.enabled=true"});
  ASSERT_EQ(r.run.exit_code, 0) << r.run.output;
  EXPECT_TRUE(SameData(Only(r.docs, "PrometheusRule")["spec"],
                       YAML::LoadFile(SourcePath("helm/keyroll/files/prometheus/keyroll-alerts.yaml"))));
  YAML::Node map = Only(r.docs, "ConfigMap");
  EXPECT_EQ(map["metadata"]["labels"]["grafana_dashboard"].as<std::string>(""), "1");
  EXPECT_EQ(map["data"]["keyroll-dashboard.json"].as<std::string>() + "\n",
            ReadFile(SourcePath("helm/keyroll/files/grafana/keyroll-dashboard.json")));
}

// Each alert's `for` and severity are chart values: set for one alert, they change that
// rule alone, and the rendered rules still pass promtool's check.
TEST(HelmRender, AlertDurationsAndSeveritiesAreValues) {
  TempDir dir;
  Rendering r = Render(dir, {"prometheusRule.enabled=true", "prometheusRule.alerts.KeyrollRotationBlocked.for=4h",
                             "prometheusRule.alerts.KeyrollNoLeader.severity=warning"});
  ASSERT_EQ(r.run.exit_code, 0) << r.run.output;
  YAML::Node rendered = Only(r.docs, "PrometheusRule")["spec"];
  YAML::Node shipped = YAML::LoadFile(SourcePath("helm/keyroll/files/prometheus/keyroll-alerts.yaml"));
  ASSERT_EQ(rendered["groups"][0]["rules"].size(), shipped["groups"][0]["rules"].size());
  int changed = 0;
  for (std::size_t i = 0; i < shipped["groups"][0]["rules"].size(); ++i) {
    YAML::Node ours = rendered["groups"][0]["rules"][i], theirs = shipped["groups"][0]["rules"][i];
    const std::string alert = theirs["alert"].as<std::string>();
    ASSERT_EQ(ours["alert"].as<std::string>(), alert);
    EXPECT_EQ(ours["expr"].as<std::string>(), theirs["expr"].as<std::string>()) << alert;
    EXPECT_TRUE(SameData(ours["annotations"], theirs["annotations"])) << alert;
    const std::string want_for = alert == "KeyrollRotationBlocked" ? "4h" : theirs["for"].as<std::string>();
    const std::string want_severity =
        alert == "KeyrollNoLeader" ? "warning" : theirs["labels"]["severity"].as<std::string>();
    EXPECT_EQ(ours["for"].as<std::string>(), want_for) << alert;
    EXPECT_EQ(ours["labels"]["severity"].as<std::string>(), want_severity) << alert;
    changed += ours["for"].as<std::string>() != theirs["for"].as<std::string>();
    changed += ours["labels"]["severity"].as<std::string>() != theirs["labels"]["severity"].as<std::string>();
  }
  EXPECT_EQ(changed, 2);
  // The rendered rules are a rule file promtool accepts.
  const std::string promtool = FindOnPath("promtool");
  if (promtool.empty()) GTEST_SKIP() << "promtool (Debian's prometheus package, scripts/install-deps)";
  YAML::Emitter out;
  out << rendered;
  CommandResult check = RunCommand({promtool, "check", "rules", dir.Write("rules.yaml", out.c_str())});
  EXPECT_EQ(check.exit_code, 0) << check.output;
}

// The chart's defaults for every alert are the rule file's `for` and severity (so the
// promtool tests of the file test the chart's defaults).
TEST(HelmRender, AlertValueDefaultsAreTheRuleFiles) {
  YAML::Node alerts = YAML::LoadFile(SourcePath("helm/keyroll/values.yaml"))["prometheusRule"]["alerts"];
  YAML::Node rules = YAML::LoadFile(SourcePath("helm/keyroll/files/prometheus/keyroll-alerts.yaml"))["groups"][0]["rules"];
  ASSERT_EQ(alerts.size(), rules.size());
  for (const YAML::Node& rule : rules) {
    const std::string alert = rule["alert"].as<std::string>();
    ASSERT_TRUE(alerts[alert]) << alert << " has no prometheusRule.alerts value";
    EXPECT_EQ(alerts[alert]["for"].as<std::string>(), rule["for"].as<std::string>()) << alert;
    EXPECT_EQ(alerts[alert]["severity"].as<std::string>(), rule["labels"]["severity"].as<std::string>()) << alert;
  }
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::testing::manifests
