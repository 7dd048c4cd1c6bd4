// The fake API server applies a CRD's structural schema to custom resources as a real one does,
// compared with keyroll's own CRD on a real kube-apiserver v1.28 (captures
// tests/unit/testdata/k8s-wire/*skr*.txt, 422-cr-schema-invalid.txt): a missing required field
// and wrong types get the real 422 with the real causes, unknown fields are pruned (with the
// real warnings) on create and on the status subresource, defaults are applied, status is
// dropped on create. And a new namespace holds what a bare cluster puts there.
#include <algorithm>
#include <fstream>
#include <functional>
#include <sstream>

#include "tests/fakes/kube/yaml_json.h"
#include "tests/integration/fake_kube_fixture.h"
#include "tests/unit/kube/kube_wire_capture.h"

namespace keyroll::fakes {
namespace {
namespace KEYROLL_UNITY_ID {

using kube::testing::LoadCapture;

struct Capture {
  std::string request_body;         // the '-d' of its first line
  std::vector<std::string> warnings;  // every Warning header
  int status = 0;
  json answer;
};

Capture Load(const std::string& name) {
  auto c = LoadCapture(name);
  std::ifstream in(std::string(KEYROLL_SOURCE_DIR) + "/tests/unit/testdata/k8s-wire/" + name);
  Capture out;
  std::string line;
  std::getline(in, line);
  if (auto d = line.find(" -d "); d != std::string::npos) out.request_body = line.substr(d + 4);
  while (std::getline(in, line) && !line.empty() && line != "\r") {
    if (line.rfind("Warning: ", 0) == 0) out.warnings.push_back(line.substr(9));
  }
  out.status = c.status;
  out.answer = json::parse(c.body);
  return out;
}

std::string ReadSource(const std::string& relative) {
  std::ifstream in(std::string(KEYROLL_SOURCE_DIR) + "/" + relative);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> Warnings(const HttpAnswer& a) {
  std::vector<std::string> out;
  for (const auto& [k, v] : a.headers)
    if (k == "Warning") out.push_back(v);
  std::sort(out.begin(), out.end());
  return out;
}

// Causes in a comparable order: a real server lists schema errors in Go map order, then the
// "<nil>" cause of skipped CEL rules last.
json SortedCauses(json status) {
  json causes = status["details"]["causes"];
  std::sort(causes.begin(), causes.end(), [](const json& a, const json& b) { return a.dump() < b.dump(); });
  return causes;
}

// The spec a real server stored in the capture, plus what keyroll's CRD gained since: the
// default consumers.runningJobs: Wait.
json CapturedSpecWithTodaysDefaults(const Capture& c) {
  json spec = c.answer["spec"];
  spec["consumers"]["runningJobs"] = "Wait";
  return spec;
}

class FakeKubeCrdSchemaTest : public FakeKubeTest {
 protected:
  static constexpr const char* kSkrs = "/apis/keyroll.dev/v1alpha1/namespaces/wire-capture/signingkeyrotations";

  // keyroll's CRD (crds/), optionally edited first.
  void InstallKeyrollCrd(const std::function<void(json&)>& edit = {}) {
    json crd = ParseYamlDocuments(ReadSource("crds/keyroll.dev_signingkeyrotations.yaml")).at(0);
    if (edit) edit(crd);
    MustCreate("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd);
  }
  json& SpecSchema(json& crd) { return crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]; }

  // Compares a 422 with a capture's: code, reason, details (causes in any order, the CEL one
  // last) and the message's errors.
  void ExpectSame422(const HttpAnswer& got, const Capture& want) {
    ASSERT_EQ(got.status, 422) << got.body;
    json g = got.Json(), w = want.answer;
    EXPECT_EQ(g["kind"], "Status");
    EXPECT_EQ(g["status"], w["status"]);
    EXPECT_EQ(g["reason"], w["reason"]);
    EXPECT_EQ(g["code"], w["code"]);
    EXPECT_EQ(SortedCauses(g), SortedCauses(w)) << got.body;
    auto& gc = g["details"]["causes"];
    auto& wc = w["details"]["causes"];
    ASSERT_FALSE(gc.empty());
    EXPECT_EQ(gc.back(), wc.back()) << "the CEL-skipped cause comes last";
    for (const char* k : {"name", "group", "kind"}) EXPECT_EQ(g["details"][k], w["details"][k]) << k;
    // The message lists the same errors (in the server's order, which is not fixed).
    const std::string gm = g["message"], wm = w["message"];
    EXPECT_EQ(gm.size(), wm.size()) << gm << "\nvs\n" << wm;
    EXPECT_EQ(gm.substr(0, gm.find(':')), wm.substr(0, wm.find(':')));
    for (const auto& cause : wc) {
      std::string error = cause["field"].get<std::string>() + ": " + cause["message"].get<std::string>();
      EXPECT_NE(gm.find(error), std::string::npos) << error << " not in " << gm;
    }
  }
};

TEST_F(FakeKubeCrdSchemaTest, MissingRequiredFieldGetsTheReal422) {
  // The capture was taken with the CRD of that day, which required spec.target (no default);
  // make it so again to send the same request. (keyroll's CRD now defaults target: see crds/.)
  InstallKeyrollCrd([&](json& crd) {
    SpecSchema(crd)["required"] = {"provider", "target"};
    SpecSchema(crd)["properties"]["target"].erase("default");
  });
  Capture want = Load("422-skr-required-missing.txt");
  ExpectSame422(client().PostRaw(kSkrs, want.request_body, "application/json"), want);
}

TEST_F(FakeKubeCrdSchemaTest, WrongTypesAndPatternsGetTheReal422) {
  InstallKeyrollCrd();
  Capture want = Load("422-skr-wrong-types.txt");
  ExpectSame422(client().PostRaw(kSkrs, want.request_body, "application/json"), want);
}

TEST_F(FakeKubeCrdSchemaTest, UnknownFieldsArePrunedDefaultsAppliedAndStatusDroppedOnCreate) {
  InstallKeyrollCrd();
  Capture want = Load("201-skr-pruned-and-defaulted.txt");
  HttpAnswer got = client().PostRaw(kSkrs, want.request_body, "application/json");
  ASSERT_EQ(got.status, 201) << got.body;
  json g = got.Json();
  EXPECT_EQ(g["spec"], CapturedSpecWithTodaysDefaults(want)) << g["spec"].dump(2);
  EXPECT_FALSE(g.contains("status")) << "status is dropped on create";
  std::vector<std::string> warnings = want.warnings;
  std::sort(warnings.begin(), warnings.end());
  EXPECT_EQ(Warnings(got), warnings);
  // What was stored, not only the answer.
  json stored = client().Get(std::string(kSkrs) + "/pruned").Json();
  EXPECT_EQ(stored["spec"], CapturedSpecWithTodaysDefaults(want));
}

TEST_F(FakeKubeCrdSchemaTest, UnknownStatusFieldIsPrunedOnTheStatusSubresource) {
  InstallKeyrollCrd();
  Capture created = Load("201-skr-pruned-and-defaulted.txt");
  ASSERT_EQ(client().PostRaw(kSkrs, created.request_body, "application/json").status, 201);
  Capture want = Load("200-skr-status-unknown-field-pruned.txt");
  HttpAnswer got = client().Patch(std::string(kSkrs) + "/pruned/status", want.request_body);
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(got.Json()["status"], want.answer["status"]);
  EXPECT_EQ(got.Json()["spec"], CapturedSpecWithTodaysDefaults(want));
  EXPECT_EQ(Warnings(got), want.warnings);
  EXPECT_EQ(client().Get(std::string(kSkrs) + "/pruned").Json()["status"], want.answer["status"]);
}

TEST_F(FakeKubeCrdSchemaTest, UpdatesAreDefaultedPrunedAndValidatedToo) {
  InstallKeyrollCrd();
  Capture created = Load("201-skr-pruned-and-defaulted.txt");
  ASSERT_EQ(client().PostRaw(kSkrs, created.request_body, "application/json").status, 201);
  // A merge patch removing a defaulted field gets it back; an unknown one is dropped.
  HttpAnswer patched = client().Patch(std::string(kSkrs) + "/pruned",
                                      R"({"spec":{"refreshInterval":null,"extra":1}})");
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(patched.Json()["spec"]["refreshInterval"], "5m");
  EXPECT_FALSE(patched.Json()["spec"].contains("extra"));
  // An enum violation on update is a 422 naming the field.
  HttpAnswer bad = client().Patch(std::string(kSkrs) + "/pruned", R"({"spec":{"consumers":{"restart":"Sometimes"}}})");
  ASSERT_EQ(bad.status, 422) << bad.body;
  EXPECT_EQ(bad.Json()["details"]["causes"][0]["field"], "spec.consumers.restart");
  EXPECT_EQ(bad.Json()["details"]["causes"][0]["reason"], "FieldValueNotSupported");
  EXPECT_EQ(bad.Json()["details"]["causes"][0]["message"],
            "Unsupported value: \"Sometimes\": supported values: \"RolloutRestart\", \"None\"");
  // A status the schema refuses is refused on the subresource too.
  HttpAnswer bad_status = client().Patch(std::string(kSkrs) + "/pruned/status", R"({"status":{"phase":"Done"}})");
  ASSERT_EQ(bad_status.status, 422) << bad_status.body;
  EXPECT_EQ(bad_status.Json()["details"]["causes"][0]["field"], "status.phase");
}

TEST_F(FakeKubeCrdSchemaTest, StrictFieldValidationRefusesUnknownFields) {
  InstallKeyrollCrd();
  Capture pruned = Load("201-skr-pruned-and-defaulted.txt");
  HttpAnswer got = client().PostRaw(std::string(kSkrs) + "?fieldValidation=Strict", pruned.request_body, "application/json");
  ASSERT_EQ(got.status, 400) << got.body;
  EXPECT_EQ(got.Json()["reason"], "BadRequest");
  EXPECT_EQ(got.Json()["message"], "strict decoding error: unknown field \"spec.bogusField\", unknown field "
                                   "\"spec.provider.qstash.unknownInProvider\"");
  EXPECT_EQ(client().Get(std::string(kSkrs) + "/pruned").status, 404);
}

TEST_F(FakeKubeCrdSchemaTest, WidgetSchemaErrorsAsTheWidgetCapture) {
  // The Widget of 422-cr-schema-invalid.txt: spec.size integer, spec.mode enum A/B, a CEL rule.
  json crd = WidgetCrd();
  crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"] = json::parse(R"({"type": "object",
    "properties": {"spec": {"type": "object",
      "x-kubernetes-validations": [{"rule": "self.size < 100", "message": "size must be below 100"}],
      "properties": {"size": {"type": "integer"}, "mode": {"type": "string", "enum": ["A", "B"]}}},
      "status": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}})");
  MustCreate("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd);
  Capture want = Load("422-cr-schema-invalid.txt");
  ExpectSame422(client().PostRaw("/apis/wire.example.com/v1alpha1/namespaces/wire-capture/widgets",
                                 want.request_body, "application/json"),
                want);
}

TEST_F(FakeKubeCrdSchemaTest, ANewNamespaceHoldsTheRootCaConfigMapAndTheDefaultServiceAccount) {
  MustCreate("/api/v1/namespaces", {{"metadata", {{"name", "fresh"}}}});
  json configmaps = client().Get("/api/v1/namespaces/fresh/configmaps").Json();
  json want_cm = Load("200-new-namespace-configmaps.txt").answer;
  ASSERT_EQ(configmaps["items"].size(), want_cm["items"].size());
  const json& cm = configmaps["items"][0];
  EXPECT_EQ(cm["metadata"]["name"], "kube-root-ca.crt");
  EXPECT_EQ(cm["metadata"]["annotations"], want_cm["items"][0]["metadata"]["annotations"]);
  EXPECT_EQ(cm["data"]["ca.crt"], api().ca_cert_pem()) << "the API server's CA, as on a cluster";
  json serviceaccounts = client().Get("/api/v1/namespaces/fresh/serviceaccounts").Json();
  json want_sa = Load("200-new-namespace-serviceaccounts.txt").answer;
  ASSERT_EQ(serviceaccounts["items"].size(), want_sa["items"].size());
  EXPECT_EQ(serviceaccounts["items"][0]["metadata"]["name"], "default");
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::fakes
