// helm/keyroll/values.yaml against its documentation: values.schema.json names every value
// (no value is only allowed by a loose schema, except the Kubernetes-shaped blocks listed
// here), and the README's values table is the one scripts/chart-values-table makes.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/manifests/manifest_files.h"

namespace keyroll::testing::manifests {
namespace {
namespace KEYROLL_UNITY_ID {

struct Coverage {
  nlohmann::json root;                 // the schema, for $ref
  std::set<std::string> uncovered;     // values the schema does not name
  std::set<std::string> free_form;     // objects the schema takes whole (type: object only)
  int checked = 0;

  const nlohmann::json& Resolve(const nlohmann::json& schema) const {
    if (!schema.contains("$ref")) return schema;
    const std::string ref = schema["$ref"];  // "#/definitions/NAME"
    return root["definitions"][ref.substr(ref.rfind('/') + 1)];
  }

  void Walk(const YAML::Node& value, const nlohmann::json& raw, const std::string& path) {
    const nlohmann::json& schema = Resolve(raw);
    ++checked;
    if (!schema.contains("type") && !schema.contains("anyOf") && !schema.contains("enum")) {
      uncovered.insert(path + " (no type)");
      return;
    }
    if (!value.IsMap()) return;
    const bool named = schema.contains("properties");
    const bool map_of = schema.contains("additionalProperties") && schema["additionalProperties"].is_object();
    if (!named && !map_of) {
      free_form.insert(path);
      return;
    }
    for (const auto& entry : value) {
      const std::string key = entry.first.as<std::string>();
      const std::string child = path.empty() ? key : path + "." + key;
      if (named && schema["properties"].contains(key)) {
        Walk(entry.second, schema["properties"][key], child);
      } else if (map_of) {
        Walk(entry.second, schema["additionalProperties"], child);
      } else {
        uncovered.insert(child);
      }
    }
  }
};

TEST(HelmValues, SchemaNamesEveryValue) {
  Coverage c;
  c.root = nlohmann::json::parse(ReadFile(SourcePath("helm/keyroll/values.schema.json")));
  c.Walk(YAML::LoadFile(SourcePath("helm/keyroll/values.yaml")), c.root, "");
  EXPECT_EQ(c.uncovered, std::set<std::string>{});
  // Kubernetes-shaped blocks that the API server validates when the Deployment is applied.
  EXPECT_EQ(c.free_form, (std::set<std::string>{"podSecurityContext", "securityContext", "affinity"}));
  EXPECT_GT(c.checked, 40);
}

TEST(HelmValues, ReadmeTableIsUpToDate) {
  CommandResult run = RunCommand({kPython, SourcePath("scripts/chart-values-table"), "--check"});
  EXPECT_EQ(run.exit_code, 0) << run.output;
  // And the table has a row per documented value, e.g. the alert and dashboard switches.
  const std::string readme = ReadFile(SourcePath("helm/keyroll/README.md"));
  for (const char* key : {"`image.tag`", "`watchNamespace`", "`prometheusRule.enabled`",
                          "`grafanaDashboard.labels`", "`podDisruptionBudget.minAvailable`"}) {
    EXPECT_NE(readme.find(std::string("| ") + key + " |"), std::string::npos) << key;
  }
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::testing::manifests
