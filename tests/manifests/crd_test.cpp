// The SigningKeyRotation CRD (crds/): names, status subresource, printer columns, a
// structural schema with limits on every string and list, the CEL rules, and every field of
// DESIGN.md's resource present in the schema.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "tests/manifests/manifest_files.h"

namespace keyroll::testing::manifests {
namespace {
namespace KEYROLL_UNITY_ID {

YAML::Node LoadCrd() {
  std::vector<YAML::Node> docs = LoadDocuments(Crd());
  EXPECT_EQ(docs.size(), 1u);
  return docs.at(0);
}

YAML::Node Version(const YAML::Node& crd) {
  EXPECT_EQ(crd["spec"]["versions"].size(), 1u);
  return crd["spec"]["versions"][0];
}

YAML::Node OpenApi(const YAML::Node& crd) { return Version(crd)["schema"]["openAPIV3Schema"]; }

std::vector<std::string> Strings(const YAML::Node& list) {
  std::vector<std::string> out;
  for (const auto& item : list) out.push_back(item.as<std::string>());
  return out;
}

// Schema node at a dotted path of property names (e.g. "spec.target.currentKey"); list items
// are stepped into implicitly. A null node when the path is not declared.
YAML::Node At(const YAML::Node& schema, const std::string& dotted) {
  YAML::Node node;
  node.reset(schema);  // reset rebinds; operator= would overwrite the schema's content
  std::size_t start = 0;
  while (start <= dotted.size()) {
    std::size_t end = dotted.find('.', start);
    if (end == std::string::npos) end = dotted.size();
    const std::string key = dotted.substr(start, end - start);
    const YAML::Node current = node;
    const YAML::Node properties = current["type"].as<std::string>("") == "array"
                                      ? current["items"]["properties"]
                                      : current["properties"];
    if (!properties || !properties[key]) return YAML::Node(YAML::NodeType::Undefined);
    node.reset(properties[key]);
    start = end + 1;
  }
  return node;
}

TEST(Crd, NamesGroupAndScope) {
  YAML::Node crd = LoadCrd();
  EXPECT_EQ(crd["apiVersion"].as<std::string>(), "apiextensions.k8s.io/v1");
  EXPECT_EQ(crd["kind"].as<std::string>(), "CustomResourceDefinition");
  EXPECT_EQ(crd["metadata"]["name"].as<std::string>(), "signingkeyrotations.keyroll.dev");
  const YAML::Node spec = crd["spec"];
  EXPECT_EQ(spec["group"].as<std::string>(), "keyroll.dev");
  EXPECT_EQ(spec["scope"].as<std::string>(), "Namespaced");
  const YAML::Node names = spec["names"];
  EXPECT_EQ(names["kind"].as<std::string>(), "SigningKeyRotation");
  EXPECT_EQ(names["listKind"].as<std::string>(), "SigningKeyRotationList");
  EXPECT_EQ(names["plural"].as<std::string>(), "signingkeyrotations");
  EXPECT_EQ(names["singular"].as<std::string>(), "signingkeyrotation");
  EXPECT_EQ(Strings(names["shortNames"]), std::vector<std::string>{"skr"});
  EXPECT_EQ(Strings(names["categories"]), std::vector<std::string>{"keyroll"});
}

TEST(Crd, OneServedStorageVersionWithStatusSubresource) {
  YAML::Node version = Version(LoadCrd());
  EXPECT_EQ(version["name"].as<std::string>(), "v1alpha1");
  EXPECT_TRUE(version["served"].as<bool>());
  EXPECT_TRUE(version["storage"].as<bool>());
  ASSERT_TRUE(version["subresources"]["status"]);
  EXPECT_TRUE(version["subresources"]["status"].IsMap());
  EXPECT_FALSE(version["subresources"]["scale"]);
}

TEST(Crd, PrinterColumns) {
  struct Column {
    std::string name, type, json_path;
  };
  const std::vector<Column> want = {
      {"Phase", "string", ".status.phase"},
      {"Current", "string", ".status.keys.currentFingerprint"},
      {"Next", "string", ".status.keys.nextFingerprint"},
      {"Consumers", "string", ".status.consumersReady"},
      {"Last Rotation", "date", ".status.lastRotationTime"},
      {"Age", "date", ".metadata.creationTimestamp"},
  };
  YAML::Node crd = LoadCrd();
  YAML::Node columns = Version(crd)["additionalPrinterColumns"];
  ASSERT_EQ(columns.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(columns[i]["name"].as<std::string>(), want[i].name);
    EXPECT_EQ(columns[i]["type"].as<std::string>(), want[i].type) << want[i].name;
    EXPECT_EQ(columns[i]["jsonPath"].as<std::string>(), want[i].json_path) << want[i].name;
    // Every status column points at a field the schema declares.
    const std::string path = want[i].json_path.substr(1);
    if (path.rfind("status.", 0) == 0) {
      EXPECT_TRUE(At(OpenApi(crd), path)) << path;
    }
  }
}

// Walks the schema; calls check(node, path) on every schema node.
void Walk(const YAML::Node& node, const std::string& path,
          const std::function<void(const YAML::Node&, const std::string&)>& check) {
  check(node, path);
  if (node["properties"]) {
    for (const auto& prop : node["properties"]) {
      Walk(prop.second, path + "." + prop.first.as<std::string>(), check);
    }
  }
  if (node["items"]) Walk(node["items"], path + "[]", check);
  if (node["additionalProperties"] && node["additionalProperties"].IsMap()) {
    Walk(node["additionalProperties"], path + "{}", check);
  }
}

TEST(Crd, SchemaIsStructuralAndBounded) {
  const std::set<std::string> types = {"object", "array", "string", "integer", "number", "boolean"};
  int nodes = 0;
  Walk(OpenApi(LoadCrd()), "", [&](const YAML::Node& node, const std::string& path) {
    ++nodes;
    SCOPED_TRACE(path.empty() ? "<root>" : path);
    ASSERT_TRUE(node["type"]) << "every schema node has a type";
    const std::string type = node["type"].as<std::string>();
    EXPECT_TRUE(types.count(type)) << type;
    for (const char* banned : {"$ref", "anyOf", "oneOf", "allOf", "not", "nullable",
                               "x-kubernetes-preserve-unknown-fields", "x-kubernetes-int-or-string"}) {
      EXPECT_FALSE(node[banned]) << banned;
    }
    EXPECT_FALSE(node["properties"] && node["additionalProperties"])
        << "properties and additionalProperties are exclusive";
    // apiVersion and kind at the root are the API server's to validate: plain strings only.
    const bool root_type_meta = path == ".apiVersion" || path == ".kind";
    if (root_type_meta) {
      EXPECT_EQ(node.size(), 1u) << "only `type: string`";
    } else if (type == "string" && !node["enum"]) {
      EXPECT_TRUE(node["maxLength"]) << "every string has maxLength";
    }
    if (type == "array") {
      EXPECT_TRUE(node["items"]);
      EXPECT_TRUE(node["maxItems"]) << "bounded lists keep CEL cost estimates low";
    }
    if (type == "object" && node["additionalProperties"]) {
      EXPECT_TRUE(node["maxProperties"]) << "bounded maps";
    }
    for (const auto& rule : node["x-kubernetes-validations"]) {
      const std::string text = rule["rule"].as<std::string>();
      EXPECT_EQ(text.find('\n'), std::string::npos) << "a rule is one line";
      EXPECT_FALSE(rule["message"].as<std::string>("").empty()) << text;
    }
  });
  EXPECT_GT(nodes, 80);
}

TEST(Crd, CelRulesForProviderAndConsumers) {
  YAML::Node schema = OpenApi(LoadCrd());
  auto rules = [&](const std::string& path) {
    std::vector<std::string> out;
    for (const auto& rule : At(schema, path)["x-kubernetes-validations"]) {
      out.push_back(rule["rule"].as<std::string>());
    }
    return out;
  };
  EXPECT_EQ(rules("spec.provider"),
            std::vector<std::string>{"has(self.qstash) != has(self.auth0)"});
  YAML::Node item = At(schema, "spec.consumers.deployments")["items"];
  ASSERT_TRUE(item["x-kubernetes-validations"]);
  EXPECT_EQ(item["x-kubernetes-validations"][0]["rule"].as<std::string>(),
            "has(self.name) != has(self.selector)");
}

TEST(Crd, EnumsDefaultsAndRequiredFields) {
  YAML::Node schema = OpenApi(LoadCrd());
  EXPECT_EQ(Strings(At(schema, "spec.target.deletionPolicy")["enum"]),
            (std::vector<std::string>{"Delete", "Retain"}));
  EXPECT_EQ(Strings(At(schema, "spec.consumers.restart")["enum"]),
            (std::vector<std::string>{"RolloutRestart", "None"}));
  EXPECT_EQ(At(schema, "spec.consumers.maxConcurrentRestarts")["minimum"].as<int>(), 1);
  // target is optional (defaults: crd_defaults_test.cpp); a provider is not.
  EXPECT_EQ(Strings(At(schema, "spec")["required"]), (std::vector<std::string>{"provider"}));
  // Key names default per provider, in the operator: no schema default may force QStash's.
  EXPECT_FALSE(At(schema, "spec.target.currentKey")["default"]);
  EXPECT_FALSE(At(schema, "spec.target.nextKey")["default"]);
  // References carry no namespace: same-namespace only.
  EXPECT_FALSE(At(schema, "spec.provider.qstash.tokenSecretRef.namespace"));
  EXPECT_FALSE(At(schema, "spec.provider.auth0.clientSecretRef.namespace"));
  EXPECT_EQ(Strings(At(schema, "status.phase")["enum"]),
            (std::vector<std::string>{"Syncing", "Ready", "Rotating", "WaitingForConsumers",
                                      "Blocked", "Failed"}));
}

TEST(Crd, ConditionsAreMetav1ConditionsKeyedByType) {
  YAML::Node conditions = At(OpenApi(LoadCrd()), "status.conditions");
  ASSERT_TRUE(conditions);
  EXPECT_EQ(conditions["x-kubernetes-list-type"].as<std::string>(), "map");
  EXPECT_EQ(Strings(conditions["x-kubernetes-list-map-keys"]), std::vector<std::string>{"type"});
  std::vector<std::string> required = Strings(conditions["items"]["required"]);
  std::sort(required.begin(), required.end());
  EXPECT_EQ(required, (std::vector<std::string>{"lastTransitionTime", "message", "reason",
                                                "status", "type"}));
  EXPECT_EQ(Strings(conditions["items"]["properties"]["status"]["enum"]),
            (std::vector<std::string>{"True", "False", "Unknown"}));
}

// Every field used in a document (maps and lists, all the way down) is declared in the schema.
void ExpectDeclared(const YAML::Node& value, const YAML::Node& schema, const std::string& path,
                    int& fields) {
  if (value.IsMap()) {
    if (!schema["properties"]) return;  // metadata, or a free-form map (labels)
    for (const auto& entry : value) {
      const std::string key = entry.first.as<std::string>();
      ++fields;
      YAML::Node sub = schema["properties"][key];
      EXPECT_TRUE(sub) << path + "." + key << " is not in the schema";
      if (sub) ExpectDeclared(entry.second, sub, path + "." + key, fields);
    }
  } else if (value.IsSequence() && schema["items"]) {
    for (const auto& item : value) ExpectDeclared(item, schema["items"], path + "[]", fields);
  }
}

TEST(Crd, EveryFieldOfTheDesignResourceIsDeclared) {
  YAML::Node schema = OpenApi(LoadCrd());
  for (const char* file : {"tests/manifests/design-example.yaml",
                           "deploy/examples/signingkeyrotation-qstash.yaml"}) {
    SCOPED_TRACE(file);
    std::vector<YAML::Node> docs = LoadDocuments(SourcePath(file));
    ASSERT_EQ(docs.size(), 1u);
    int fields = 0;
    ExpectDeclared(docs[0], schema, "", fields);
    EXPECT_GT(fields, 35);
  }
  // DESIGN.md's resource, field by field (its status is elided there).
  for (const char* path :
       {"spec.provider.qstash.tokenSecretRef.name", "spec.provider.qstash.tokenSecretRef.key",
        "spec.provider.qstash.url", "spec.provider.auth0.domain",
        "spec.provider.auth0.clientSecretRef", "spec.target.secretName",
        "spec.target.currentKey", "spec.target.nextKey", "spec.target.labels",
        "spec.target.annotations", "spec.target.deletionPolicy", "spec.refreshInterval",
        "spec.rotation.schedule", "spec.rotation.timeZone", "spec.rotation.maxKeyAge",
        "spec.rotation.requestID", "spec.rotation.minInterval", "spec.rotation.suspend",
        "spec.consumers.deployments.name", "spec.consumers.deployments.selector.matchLabels",
        "spec.consumers.discover", "spec.consumers.restart",
        "spec.consumers.maxConcurrentRestarts", "status.observedGeneration", "status.phase",
        "status.keys.currentFingerprint", "status.keys.nextFingerprint", "status.keys.keysHash",
        "status.keys.syncedAt", "status.rotationCount", "status.lastRotationTime",
        "status.nextRotationTime", "status.lastHandledRequestID",
        "status.pendingRotation.startedAt", "status.pendingRotation.fromFingerprint",
        "status.pendingRotation.expectedCurrentFingerprint", "status.pendingRotation.trigger",
        "status.pendingRotation.requestID", "status.pendingRotation.rotateRequest",
        "status.keys.currentKid", "status.keys.nextKid", "status.keys.previousKid",
        "spec.provider.auth0.caBundle", "spec.provider.qstash.caBundle", "spec.rotation.revokePrevious",
        "status.consumers.kind",
        "status.consumers.name", "status.consumers.upToDate", "status.consumers.message",
        "status.conditions.type"}) {
    EXPECT_TRUE(At(schema, path)) << path;
  }
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::testing::manifests
