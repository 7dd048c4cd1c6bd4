// The CRD and the operator agree (issue #21): a field is required in both or optional in both,
// and every default the operator applies is the schema's `default:`, or, where no constant can
// express it (target.secretName = the resource's name, key names per provider, auth0's
// audience), the field is optional and its description names the operator's default.
// The schema is applied by the fake API server's CrdSchema (tests/fakes/kube/crd_schema.h),
// the operator's side is rotation::ParseSpec.
#include <gtest/gtest.h>

#include <functional>

#include "operator/rotation/parse_spec.h"
#include "tests/fakes/kube/crd_schema.h"
#include "tests/fakes/kube/yaml_json.h"
#include "tests/manifests/manifest_files.h"

namespace keyroll::testing::manifests {
namespace {
namespace KEYROLL_UNITY_ID {

using json = nlohmann::json;

json OpenApi() {
  static const json crd = fakes::ParseYamlDocuments(ReadFile(Crd())).at(0);
  return crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"];
}

// The smallest resources a user may write, one per provider: only what the schema requires
// (and the CEL rule "exactly one provider").
std::vector<json> MinimalResources() {
  json meta = {{"name", "payments"}, {"namespace", "payments"}, {"uid", "u1"}, {"generation", 1}};
  return {
      {{"apiVersion", "keyroll.dev/v1alpha1"}, {"kind", "SigningKeyRotation"}, {"metadata", meta},
       {"spec", {{"provider", {{"qstash", {{"tokenSecretRef", {{"name", "qstash"}}}}}}}}}},
      {{"apiVersion", "keyroll.dev/v1alpha1"}, {"kind", "SigningKeyRotation"}, {"metadata", meta},
       {"spec", {{"provider", {{"auth0", {{"domain", "tenant.eu.auth0.com"}, {"clientSecretRef", {{"name", "auth0"}}}}}}}}}},
  };
}

json Defaulted(json o) {
  fakes::CrdSchema(OpenApi()).PruneAndDefault(o);
  return o;
}

// Every JSON pointer to a leaf or object under /spec of `o`.
void Pointers(const json& o, const std::string& at, std::vector<std::string>& out) {
  if (!o.is_object()) return;
  for (const auto& [k, v] : o.items()) {
    out.push_back(at + "/" + k);
    Pointers(v, at + "/" + k, out);
  }
}

// The schema node for a pointer like /spec/target/secretName.
json SchemaAt(const std::string& pointer) {
  json node = OpenApi();
  std::string rest = pointer.substr(1);
  while (!rest.empty()) {
    auto slash = rest.find('/');
    std::string key = rest.substr(0, slash);
    node = node["properties"][key];
    rest = slash == std::string::npos ? "" : rest.substr(slash + 1);
  }
  return node;
}

std::string Dotted(const std::string& pointer) {
  std::string s = pointer.substr(1);
  std::replace(s.begin(), s.end(), '/', '.');
  return s;
}

// Required by the schema: in its parent's `required`, or one side of an "exactly one of" CEL
// rule of the parent (spec.provider's has(self.qstash) != has(self.auth0)).
bool SchemaRequires(const std::string& pointer) {
  auto slash = pointer.rfind('/');
  json parent = SchemaAt(pointer.substr(0, slash));
  std::string key = pointer.substr(slash + 1);
  for (const auto& r : parent.value("required", json::array()))
    if (r == key) return true;
  // An "exactly one of" rule: has(self.a) != has(self.b).
  const std::string has = "has(self." + key + ")";
  for (const auto& rule : parent.value("x-kubernetes-validations", json::array())) {
    const std::string text = rule["rule"];
    if (text.find(has + " != ") != std::string::npos || text.find(" != " + has) != std::string::npos) return true;
  }
  return false;
}

TEST(CrdDefaults, MinimalResourcesPassTheSchemaAndTheOperator) {
  for (const json& m : MinimalResources()) {
    SCOPED_TRACE(m["spec"].dump());
    EXPECT_TRUE(fakes::CrdSchema(OpenApi()).Validate(Defaulted(m)).empty());
    auto spec = rotation::ParseSpec(m);
    EXPECT_TRUE(spec.ok()) << (spec.ok() ? "" : rotation::JoinFieldErrors(spec.error()));
  }
}

TEST(CrdDefaults, EverySchemaDefaultIsTheOperatorsDefault) {
  int defaults = 0;
  for (const json& m : MinimalResources()) {
    const json d = Defaulted(m);
    auto want = rotation::ParseSpec(d);
    ASSERT_TRUE(want.ok());
    std::vector<std::string> pointers;
    Pointers(d["spec"], "/spec", pointers);
    for (const auto& p : pointers) {
      if (m.contains(json::json_pointer(p))) continue;  // the user wrote it
      ++defaults;
      SCOPED_TRACE(Dotted(p) + " (schema default " + d.at(json::json_pointer(p)).dump() + ")");
      // Without this one default, the operator must arrive at the same spec by itself.
      json without = d;
      without.at(json::json_pointer(p.substr(0, p.rfind('/')))).erase(p.substr(p.rfind('/') + 1));
      auto got = rotation::ParseSpec(without);
      ASSERT_TRUE(got.ok()) << rotation::JoinFieldErrors(got.error());
      EXPECT_TRUE(*got == *want) << "the operator's default differs from the schema's";
    }
  }
  EXPECT_GE(defaults, 20) << "qstash and auth0 each get a dozen schema defaults";
}

TEST(CrdDefaults, RequiredInBothOrOptionalInBoth) {
  for (const json& m : MinimalResources()) {
    std::vector<std::string> pointers;
    Pointers(m["spec"], "/spec", pointers);
    for (const auto& p : pointers) {
      SCOPED_TRACE(Dotted(p));
      // The minimal resource holds only what the schema requires ...
      EXPECT_TRUE(SchemaRequires(p)) << "the operator needs a field the schema does not require";
      // ... and the operator refuses a resource without it, naming it.
      json without = m;
      without.at(json::json_pointer(p.substr(0, p.rfind('/')))).erase(p.substr(p.rfind('/') + 1));
      auto got = rotation::ParseSpec(Defaulted(without));
      ASSERT_FALSE(got.ok()) << "the schema requires it, the operator does not";
      std::string errors = rotation::JoinFieldErrors(got.error());
      EXPECT_NE(errors.find(Dotted(p.substr(0, p.rfind('/')))), std::string::npos) << errors;
    }
  }
}

// Defaults no schema constant can express: optional, no `default:`, and the description says
// what the operator uses; the operator does use it.
TEST(CrdDefaults, ComputedDefaultsAreOptionalAndDocumented) {
  const std::vector<std::string> computed = {"/spec/target/secretName", "/spec/target/currentKey",
                                             "/spec/target/nextKey", "/spec/provider/auth0/audience"};
  for (const auto& p : computed) {
    SCOPED_TRACE(Dotted(p));
    json node = SchemaAt(p);
    ASSERT_TRUE(node.is_object()) << "declared";
    EXPECT_FALSE(node.contains("default"));
    EXPECT_FALSE(SchemaRequires(p));
    const std::string description = node.value("description", "");
    EXPECT_NE(description.find("operator"), std::string::npos) << description;
  }
  json target = SchemaAt("/spec/target");
  EXPECT_EQ(target["default"], json::object()) << "spec.target may be left out entirely";
  auto qstash = rotation::ParseSpec(Defaulted(MinimalResources()[0]));
  auto auth0 = rotation::ParseSpec(Defaulted(MinimalResources()[1]));
  ASSERT_TRUE(qstash.ok() && auth0.ok());
  EXPECT_EQ(qstash->target.secret_name, "payments") << "the resource's own name";
  EXPECT_EQ(qstash->target.current_key, "QSTASH_CURRENT_SIGNING_KEY");
  EXPECT_EQ(qstash->target.next_key, "QSTASH_NEXT_SIGNING_KEY");
  EXPECT_EQ(auth0->target.current_key, "AUTH0_CURRENT_SIGNING_CERT");
  EXPECT_EQ(auth0->target.next_key, "AUTH0_NEXT_SIGNING_CERT");
  EXPECT_EQ(rotation::AsAuth0(*auth0)->audience, "https://tenant.eu.auth0.com/api/v2/");
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::testing::manifests
