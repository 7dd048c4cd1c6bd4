// helm/keyroll/: what can be checked without a helm binary — chart metadata, values.yaml
// against values.schema.json, every .Values path used by a template exists (and every
// value is used and documented), template blocks balance, includes resolve, the chart's CRD
// copy equals crds/ byte for byte, and the chart's RBAC and defaults match deploy/.
#include <gtest/gtest.h>

#include <map>
#include <algorithm>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tests/manifests/manifest_files.h"

namespace keyroll::testing::manifests {
namespace {
namespace KEYROLL_UNITY_ID {

const char* const kChart = "helm/keyroll";

std::vector<std::string> TemplateFiles() {
  std::vector<std::string> out;
  for (const char* suffix : {".yaml", ".tpl", ".txt"}) {
    for (const std::string& f : FilesIn("helm/keyroll/templates", suffix)) out.push_back(f);
  }
  return out;
}

YAML::Node Values() { return YAML::LoadFile(SourcePath("helm/keyroll/values.yaml")); }

TEST(HelmChart, Metadata) {
  YAML::Node chart = YAML::LoadFile(SourcePath(std::string(kChart) + "/Chart.yaml"));
  EXPECT_EQ(chart["apiVersion"].as<std::string>(), "v2");
  EXPECT_EQ(chart["name"].as<std::string>(), "keyroll");
  EXPECT_EQ(chart["version"].as<std::string>(), "0.1.0");
  EXPECT_EQ(chart["appVersion"].as<std::string>(), "0.1.0");
  EXPECT_EQ(chart["type"].as<std::string>(), "application");
}

TEST(HelmChart, CrdCopyIsByteIdenticalToCrds) {
  const std::string chart_copy =
      ReadFile(SourcePath("helm/keyroll/files/crds/keyroll.dev_signingkeyrotations.yaml"));
  ASSERT_FALSE(chart_copy.empty());
  EXPECT_TRUE(chart_copy == ReadFile(Crd()))
      << "refresh it: cp crds/keyroll.dev_signingkeyrotations.yaml helm/keyroll/files/crds/";
  // The template reads exactly that file.
  EXPECT_NE(ReadFile(SourcePath("helm/keyroll/templates/crds.yaml"))
                .find("\"files/crds/keyroll.dev_signingkeyrotations.yaml\""),
            std::string::npos);
}

TEST(HelmValues, ValidateAgainstTheSchema) {
  SchemaCheck check = RunSchemaCheck("values", SourcePath("helm/keyroll/values.schema.json"),
                                     SourcePath("helm/keyroll/values.yaml"));
  EXPECT_EQ(check.run.exit_code, 0) << check.run.output;
}

TEST(HelmValues, SchemaRejectsUnknownKeysAndBadEnums) {
  std::string text = ReadFile(SourcePath("helm/keyroll/values.yaml"));
  text.replace(text.find("logFormat: json"), 15, "logFormat: xml");
  text += "\nreplicas: 2\n";  // a typo of replicaCount
  text.replace(text.find("  pullPolicy: IfNotPresent"), 26, "  pullPolicy: IfNotPresent\n  tg: v1");
  TempDir dir;
  SchemaCheck check = RunSchemaCheck("values", SourcePath("helm/keyroll/values.schema.json"),
                                     dir.Write("values.yaml", text));
  EXPECT_EQ(check.run.exit_code, 1) << check.run.output;
  std::set<std::string> fields;
  for (const SchemaError& e : check.errors) fields.insert(e.field + " " + e.reason);
  EXPECT_EQ(fields, (std::set<std::string>{"logFormat enum", "<root> additionalProperties",
                                           "image additionalProperties"}))
      << check.run.output;
}

// Every `.Values.a.b.c` path in the templates.
std::set<std::string> ValuesReferences() {
  static const std::regex ref(R"(\.Values((\.[A-Za-z_][A-Za-z0-9_]*)+))");
  std::set<std::string> out;
  for (const std::string& file : TemplateFiles()) {
    const std::string text = ReadFile(SourcePath(file));
    for (auto it = std::sregex_iterator(text.begin(), text.end(), ref);
         it != std::sregex_iterator(); ++it) {
      out.insert((*it)[1].str().substr(1));
    }
  }
  return out;
}

TEST(HelmTemplates, EveryValuesReferenceExistsInValuesYaml) {
  const YAML::Node values = Values();
  const std::set<std::string> refs = ValuesReferences();
  EXPECT_GT(refs.size(), 30u);
  for (const std::string& path : refs) {
    YAML::Node node;
    node.reset(values);
    std::size_t start = 0;
    bool found = true;
    while (found && start <= path.size()) {
      std::size_t end = std::min(path.find('.', start), path.size());
      const YAML::Node current = node;
      const YAML::Node child = current.IsMap() ? current[path.substr(start, end - start)]
                                               : YAML::Node(YAML::NodeType::Undefined);
      found = child.IsDefined();
      if (found) node.reset(child);
      start = end + 1;
    }
    EXPECT_TRUE(found) << ".Values." << path << " is used in a template but not in values.yaml";
  }
}

TEST(HelmTemplates, EveryTopLevelValueIsUsed) {
  const std::set<std::string> refs = ValuesReferences();
  for (const auto& entry : Values()) {
    const std::string key = entry.first.as<std::string>();
    bool used = false;
    for (const std::string& ref : refs) used |= ref == key || ref.rfind(key + ".", 0) == 0;
    EXPECT_TRUE(used) << key << " is in values.yaml but no template reads it";
  }
}

TEST(HelmValues, EveryValueIsDocumented) {
  // A key is documented by a comment line right above it, or by a documented ancestor (for
  // Kubernetes-shaped blocks such as securityContext). Every leaf must be documented.
  const std::string text = ReadFile(SourcePath("helm/keyroll/values.yaml"));
  static const std::regex key_line(R"(^( *)([A-Za-z][A-Za-z0-9_]*):(.*)$)");
  struct Open {
    std::size_t indent;
    bool documented;
  };
  std::vector<Open> stack;
  std::istringstream lines(text);
  bool comment_above = false;
  int leaves = 0;
  for (std::string line; std::getline(lines, line);) {
    std::smatch m;
    const std::size_t first = line.find_first_not_of(' ');
    if (first != std::string::npos && line[first] == '#') {
      comment_above = true;
      continue;
    }
    if (!std::regex_match(line, m, key_line)) {
      comment_above = false;
      continue;
    }
    const std::size_t indent = m[1].length();
    while (!stack.empty() && stack.back().indent >= indent) stack.pop_back();
    bool documented = comment_above;
    for (const Open& open : stack) documented |= open.documented;
    std::string rest = m[3].str();
    rest = rest.substr(0, rest.find(" #"));
    const bool leaf = rest.find_first_not_of(' ') != std::string::npos;
    if (leaf) {
      ++leaves;
      EXPECT_TRUE(documented) << "values.yaml: " << m[2] << " has no comment";
    } else {
      stack.push_back({indent, documented});
    }
    comment_above = false;
  }
  EXPECT_GT(leaves, 30);
}

TEST(HelmTemplates, BlocksBalanceAndIncludesResolve) {
  static const std::regex action(R"(\{\{-?\s*([\s\S]*?)\s*-?\}\})");
  static const std::regex define(R"(define \"([^\"]+)\")");
  static const std::regex include(R"(include \"([^\"]+)\")");
  std::set<std::string> defined, included;
  for (const std::string& file : TemplateFiles()) {
    SCOPED_TRACE(file);
    const std::string text = ReadFile(SourcePath(file));
    int depth = 0;
    for (auto it = std::sregex_iterator(text.begin(), text.end(), action);
         it != std::sregex_iterator(); ++it) {
      const std::string body = (*it)[1];
      if (body.rfind("/*", 0) == 0) continue;
      const std::string word = body.substr(0, body.find_first_of(" \t\n"));
      if (word == "if" || word == "range" || word == "with" || word == "define" ||
          word == "block") {
        ++depth;
      } else if (word == "end") {
        --depth;
        EXPECT_GE(depth, 0) << "an end without an opening block";
      }
      std::smatch m;
      if (std::regex_search(body, m, define)) defined.insert(m[1]);
      for (auto inc = std::sregex_iterator(body.begin(), body.end(), include);
           inc != std::sregex_iterator(); ++inc) {
        included.insert((*inc)[1]);
      }
    }
    EXPECT_EQ(depth, 0) << "unclosed if/range/with/define";
  }
  for (const std::string& name : included) {
    EXPECT_TRUE(defined.count(name)) << "include \"" << name << "\" has no define";
  }
  EXPECT_TRUE(defined.count("keyroll.rules"));
  EXPECT_TRUE(defined.count("keyroll.argoRolloutsRules"));
  EXPECT_TRUE(defined.count("keyroll.podsListRules"));
}

// The body of {{- define "NAME" -}} ... {{- end -}} in _helpers.tpl, as YAML: the RBAC
// helpers are plain YAML.
YAML::Node HelperYaml(const std::string& name) {
  const std::string text = ReadFile(SourcePath("helm/keyroll/templates/_helpers.tpl"));
  const std::string open = "{{- define \"" + name + "\" -}}";
  const std::size_t begin = text.find(open);
  EXPECT_NE(begin, std::string::npos) << name;
  if (begin == std::string::npos) return {};
  const std::size_t body = begin + open.size();
  const std::size_t end = text.find("{{- end -}}", body);
  const std::string rules = text.substr(body, end - body);
  EXPECT_EQ(rules.find("{{"), std::string::npos) << name << " is plain YAML";
  return YAML::Load(rules);
}

// keyroll.rules, then keyroll.argoRolloutsRules (argoRollouts.enabled, on by default): the
// rules of the chart's (Cluster)Role.
YAML::Node ChartRbacRules() {
  YAML::Node rules = HelperYaml("keyroll.rules");
  for (const YAML::Node& rule : HelperYaml("keyroll.argoRolloutsRules")) rules.push_back(rule);
  return rules;
}

YAML::Node DeployDocument(const std::string& file, const std::string& kind) {
  for (const YAML::Node& doc : LoadDocuments(SourcePath(file))) {
    if (doc["kind"].as<std::string>() == kind) return doc;
  }
  ADD_FAILURE() << "no " << kind << " in " << file;
  return {};
}

TEST(HelmChart, RbacRulesEqualDeployClusterRole) {
  YAML::Node chart = ChartRbacRules();
  YAML::Node deploy = DeployDocument("deploy/rbac.yaml", "ClusterRole")["rules"];
  ASSERT_TRUE(chart.IsSequence());
  EXPECT_EQ(YAML::Dump(chart), YAML::Dump(deploy));
  EXPECT_EQ(chart.size(), 8u);
  // The Argo Rollouts helper holds that rule alone.
  YAML::Node argo = HelperYaml("keyroll.argoRolloutsRules");
  ASSERT_EQ(argo.size(), 1u);
  EXPECT_EQ(argo[0]["apiGroups"][0].as<std::string>(), "argoproj.io");
  // The pods list helper (podsList.enabled, off by default) holds the rule that
  // deploy/components/list-pods adds, alone.
  YAML::Node pods = HelperYaml("keyroll.podsListRules");
  ASSERT_EQ(pods.size(), 1u);
  YAML::Node component = YAML::LoadFile(SourcePath("deploy/components/list-pods/kustomization.yaml"));
  YAML::Node added = YAML::Load(component["patches"][0]["patch"].as<std::string>())[0]["value"];
  EXPECT_EQ(YAML::Dump(pods[0]), YAML::Dump(added));
}

TEST(HelmChart, DefaultsMatchDeployManifests) {
  YAML::Node values = Values();
  YAML::Node container = DeployDocument("deploy/deployment.yaml", "Deployment")["spec"]["template"]
                                                                               ["spec"]["containers"][0];
  YAML::Node pod = DeployDocument("deploy/deployment.yaml", "Deployment")["spec"]["template"]["spec"];
  EXPECT_EQ(YAML::Dump(values["securityContext"]), YAML::Dump(container["securityContext"]));
  EXPECT_EQ(YAML::Dump(values["podSecurityContext"]), YAML::Dump(pod["securityContext"]));
  EXPECT_EQ(YAML::Dump(values["resources"]), YAML::Dump(container["resources"]));
  EXPECT_EQ(values["metrics"]["port"].as<int>(), 8080);
  EXPECT_EQ(values["health"]["port"].as<int>(), 8081);
  EXPECT_TRUE(values["leaderElection"]["enabled"].as<bool>());
  EXPECT_EQ(values["logFormat"].as<std::string>(), "json");
  EXPECT_FALSE(values["metrics"]["serviceMonitor"]["enabled"].as<bool>());
  EXPECT_FALSE(values["podDisruptionBudget"]["enabled"].as<bool>());
}

TEST(HelmTemplates, WatchNamespaceSwitchesToARoleAndPassesTheFlag) {
  const std::string rbac = ReadFile(SourcePath("helm/keyroll/templates/rbac.yaml"));
  EXPECT_NE(rbac.find("ternary \"Role\" \"ClusterRole\" (ne .Values.watchNamespace \"\")"),
            std::string::npos);
  EXPECT_NE(rbac.find("kind: {{ $kind }}Binding"), std::string::npos);
  const std::string deployment = ReadFile(SourcePath("helm/keyroll/templates/deployment.yaml"));
  EXPECT_NE(deployment.find("- --namespace={{ . }}"), std::string::npos);
  EXPECT_NE(deployment.find("- --leader-elect"), std::string::npos);
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::testing::manifests
