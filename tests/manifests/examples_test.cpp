// deploy/examples/: the good examples are single documents of the right kind that fit
// together and validate against the CRD; every deliberately invalid resource is rejected with
// exactly the error its header announces.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "tests/manifests/crd_check.h"
#include "tests/manifests/manifest_files.h"

namespace keyroll::testing::manifests {
namespace {
namespace KEYROLL_UNITY_ID {

YAML::Node LoadSingle(const std::string& relative) {
  std::vector<YAML::Node> docs = LoadDocuments(SourcePath(relative));
  EXPECT_EQ(docs.size(), 1u) << relative << " must hold exactly one document";
  return docs.empty() ? YAML::Node() : docs[0];
}

std::string Stem(const std::string& path) {
  const std::string name = path.substr(path.rfind('/') + 1);
  return name.substr(0, name.rfind('.'));
}

TEST(Examples, GoodExamplesAreSingleDocumentsOfTheirKind) {
  const std::map<std::string, std::string> kinds = {
      {"deploy/examples/qstash-token-secret.yaml", "v1/Secret"},
      {"deploy/examples/signingkeyrotation-qstash.yaml", "keyroll.dev/v1alpha1/SigningKeyRotation"},
      {"deploy/examples/consumer-deployment.yaml", "apps/v1/Deployment"},
      {"deploy/examples/auth0-client-secret.yaml", "v1/Secret"},
      {"deploy/examples/signingkeyrotation-auth0.yaml", "keyroll.dev/v1alpha1/SigningKeyRotation"},
  };
  EXPECT_EQ(FilesIn("deploy/examples", ".yaml").size(), kinds.size());
  for (const std::string& file : FilesIn("deploy/examples", ".yaml")) {
    SCOPED_TRACE(file);
    ASSERT_TRUE(kinds.count(file)) << "an example this test does not know";
    YAML::Node doc = LoadSingle(file);
    EXPECT_EQ(doc["apiVersion"].as<std::string>() + "/" + doc["kind"].as<std::string>(),
              kinds.at(file));
    EXPECT_EQ(doc["metadata"]["namespace"].as<std::string>(), "payments");
    EXPECT_FALSE(doc["metadata"]["name"].as<std::string>().empty());
  }
}

TEST(Examples, GoodExamplesReferToEachOther) {
  YAML::Node skr = LoadSingle("deploy/examples/signingkeyrotation-qstash.yaml");
  YAML::Node token = LoadSingle("deploy/examples/qstash-token-secret.yaml");
  YAML::Node consumer = LoadSingle("deploy/examples/consumer-deployment.yaml");
  const YAML::Node ref = skr["spec"]["provider"]["qstash"]["tokenSecretRef"];
  EXPECT_EQ(ref["name"].as<std::string>(), token["metadata"]["name"].as<std::string>());
  EXPECT_TRUE(token["stringData"][ref["key"].as<std::string>()]);
  EXPECT_NE(token["stringData"][ref["key"].as<std::string>()].as<std::string>().find("placeholder"),
            std::string::npos)
      << "the example token must be an obvious placeholder";
  const std::string target = skr["spec"]["target"]["secretName"].as<std::string>();
  const YAML::Node container = consumer["spec"]["template"]["spec"]["containers"][0];
  EXPECT_EQ(container["envFrom"][0]["secretRef"]["name"].as<std::string>(), target);
  EXPECT_EQ(skr["spec"]["consumers"]["deployments"][0]["name"].as<std::string>(),
            consumer["metadata"]["name"].as<std::string>());
}

std::string Errors(const CrdCheck& check) {
  std::string out;
  for (const auto& e : check.errors) out += e.code + " " + e.field + " " + e.reason + " " + e.message + "\n";
  return out;
}

// Good resources pass the schema and every CEL rule on their path (a real evaluator ran them).
TEST(Examples, GoodResourcesValidateAgainstTheCrdAndItsCelRules) {
  const std::vector<std::string> files = {SourcePath("deploy/examples/signingkeyrotation-qstash.yaml"),
                                          SourcePath("deploy/examples/signingkeyrotation-auth0.yaml"),
                                          SourcePath("tests/manifests/design-example.yaml")};
  CrdCheckRun run = CheckAgainstCrd(files);
  ASSERT_TRUE(run.ran) << run.output;
  for (const auto& file : files) {
    SCOPED_TRACE(file);
    const CrdCheck& check = run.by_file.at(file);
    EXPECT_TRUE(check.errors.empty()) << Errors(check);
    EXPECT_GE(check.cel_evaluated, 3) << "the provider, target and consumer rules ran";
  }
}

TEST(Examples, Auth0ExampleRefersToItsClientSecret) {
  YAML::Node skr = LoadSingle("deploy/examples/signingkeyrotation-auth0.yaml");
  YAML::Node secret = LoadSingle("deploy/examples/auth0-client-secret.yaml");
  const YAML::Node ref = skr["spec"]["provider"]["auth0"]["clientSecretRef"];
  EXPECT_EQ(ref["name"].as<std::string>(), secret["metadata"]["name"].as<std::string>());
  for (const char* key : {"clientIDKey", "clientSecretKey"}) {
    SCOPED_TRACE(key);
    ASSERT_TRUE(secret["stringData"][ref[key].as<std::string>()]);
    EXPECT_NE(secret["stringData"][ref[key].as<std::string>()].as<std::string>().find("placeholder"),
              std::string::npos);
  }
  EXPECT_TRUE(skr["spec"]["rotation"]["revokePrevious"].as<bool>());
}

TEST(Examples, StatusSchemaRejectsAnUnknownPhase) {
  std::string text = ReadFile(SourcePath("tests/manifests/design-example.yaml"));
  const std::string ready = "phase: Ready";
  ASSERT_NE(text.find(ready), std::string::npos);
  text.replace(text.find(ready), ready.size(), "phase: Done");
  TempDir dir;
  const std::string file = dir.Write("bad-status.yaml", text);
  CrdCheckRun run = CheckAgainstCrd({file});
  const CrdCheck& check = run.by_file.at(file);
  ASSERT_EQ(check.errors.size(), 1u) << Errors(check);
  EXPECT_EQ(check.errors[0].field, "status.phase");
  EXPECT_EQ(check.errors[0].reason, "FieldValueNotSupported");
}

TEST(InvalidExamples, AtLeastTenWithUniqueNamesAndNoNamespace) {
  std::vector<std::string> files = FilesIn("deploy/examples/invalid", ".yaml");
  EXPECT_GE(files.size(), 10u);
  std::set<std::string> names;
  for (const std::string& file : files) {
    SCOPED_TRACE(file);
    YAML::Node doc = LoadSingle(file);
    EXPECT_EQ(doc["apiVersion"].as<std::string>(), "keyroll.dev/v1alpha1");
    EXPECT_EQ(doc["kind"].as<std::string>(), "SigningKeyRotation");
    EXPECT_FALSE(doc["metadata"]["namespace"]) << "applied into a test namespace";
    const std::string name = doc["metadata"]["name"].as<std::string>();
    EXPECT_EQ(name, "invalid-" + Stem(file));
    EXPECT_TRUE(names.insert(name).second) << "duplicate name " << name;
  }
}

// The expectation in an invalid example's header.
struct Expectation {
  std::string what, code, field, reason, message;
};

Expectation ReadHeader(const std::string& file) {
  const std::string text = ReadFile(SourcePath(file));
  static const std::regex what_re(R"(^# invalid: (.+)\n)");
  static const std::regex expect_re(
      R"(\n# expect: (\d{3}) field=(\S+) reason=([A-Za-z]+) message="([^"]+)\"\n)");
  std::smatch what, expect;
  Expectation e;
  if (std::regex_search(text, what, what_re)) e.what = what[1];
  if (std::regex_search(text, expect, expect_re)) {
    e.code = expect[1];
    e.field = expect[2];
    e.reason = expect[3];
    e.message = expect[4];
  }
  return e;
}

// Every invalid example, checked once (one node process for the CEL rules).
const CrdCheckRun& InvalidExamplesChecked() {
  static const CrdCheckRun run = [] {
    std::vector<std::string> files;
    for (const auto& f : FilesIn("deploy/examples/invalid", ".yaml")) files.push_back(SourcePath(f));
    return CheckAgainstCrd(files);
  }();
  return run;
}

// Each CEL rule of the CRD is exercised: some invalid example fails it, and only it.
TEST(InvalidExamples, EveryCelRuleRejectsAnExampleOfItsOwn) {
  const CrdCheckRun& run = InvalidExamplesChecked();
  ASSERT_TRUE(run.ran) << run.output;
  std::vector<std::string> rules;
  std::function<void(const nlohmann::json&)> collect = [&](const nlohmann::json& node) {
    if (!node.is_object()) return;
    for (const auto& r : node.value("x-kubernetes-validations", nlohmann::json::array())) rules.push_back(r["rule"]);
    for (const char* k : {"properties"})
      if (node.contains(k))
        for (const auto& [name, sub] : node[k].items()) collect(sub);
    if (node.contains("items")) collect(node["items"]);
    if (node.contains("additionalProperties")) collect(node["additionalProperties"]);
  };
  collect(CrdOpenApi());
  std::sort(rules.begin(), rules.end());
  rules.erase(std::unique(rules.begin(), rules.end()), rules.end());  // the consumer item repeats per kind
  EXPECT_GE(rules.size(), 6u);
  for (const auto& rule : rules) {
    SCOPED_TRACE(rule);
    int examples = 0;
    for (const auto& [file, check] : run.by_file) {
      if (std::find(check.cel_rules_failed.begin(), check.cel_rules_failed.end(), rule) != check.cel_rules_failed.end()) {
        ++examples;
        EXPECT_EQ(check.cel_rules_failed.size(), 1u) << file << " fails other rules too";
      }
    }
    EXPECT_GE(examples, 1) << "no invalid example is rejected by this rule";
  }
}

class InvalidExample : public ::testing::TestWithParam<std::string> {};

TEST_P(InvalidExample, IsRejectedWithExactlyTheAnnouncedError) {
  const std::string file = GetParam();
  const Expectation want = ReadHeader(file);
  ASSERT_FALSE(want.what.empty()) << file << " starts with '# invalid: <what is wrong>'";
  ASSERT_FALSE(want.field.empty())
      << file << " has '# expect: CODE field=PATH reason=REASON message=\"...\"' as line 2";
  const CrdCheckRun& run = InvalidExamplesChecked();
  ASSERT_TRUE(run.ran) << run.output;
  const CrdCheck& check = run.by_file.at(SourcePath(file));
  ASSERT_EQ(check.errors.size(), 1u) << "one mistake per file:\n" << Errors(check);
  const SchemaError& got = check.errors[0];
  EXPECT_EQ(got.code, want.code);
  EXPECT_EQ(got.field, want.field);
  EXPECT_EQ(got.reason, want.reason);
  EXPECT_NE(got.message.find(want.message), std::string::npos)
      << "message \"" << got.message << "\" lacks \"" << want.message << "\"";
}

std::string TestName(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = Stem(info.param);
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(Files, InvalidExample,
                         ::testing::ValuesIn(FilesIn("deploy/examples/invalid", ".yaml")),
                         TestName);

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::testing::manifests
