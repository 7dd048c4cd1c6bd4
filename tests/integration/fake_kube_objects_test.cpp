// Object lifecycle as a real server does it: create/get/update/patch, the status subresource
// and metadata.generation for a custom resource and a Deployment, Secret stringData, delete
// answers and preconditions (compare /work/shared/k8s-wire/20*.txt).
#include "tests/integration/fake_kube_fixture.h"

namespace keyroll::fakes {
namespace {
namespace KEYROLL_UNITY_ID {

constexpr const char* kWidgets = "/apis/wire.example.com/v1alpha1/namespaces/wire-capture/widgets";
constexpr const char* kDeployments = "/apis/apps/v1/namespaces/wire-capture/deployments";
constexpr const char* kSecrets = "/api/v1/namespaces/wire-capture/secrets";

int64_t Rv(const json& o) { return std::stoll(o["metadata"]["resourceVersion"].get<std::string>()); }

TEST_F(FakeKubeTest, CustomResourceStatusAndGenerationRules) {
  CreateWidgetCrd();
  json created = MustCreate(kWidgets, json::parse(R"J({"apiVersion":"wire.example.com/v1alpha1","kind":"Widget",
      "metadata":{"name":"w"},"spec":{"size":3,"mode":"A"},"status":{"phase":"ignored-on-create"}})J"));
  EXPECT_EQ(created["metadata"]["generation"], 1);
  EXPECT_FALSE(created.contains("status"));
  EXPECT_EQ(created["kind"], "Widget");
  EXPECT_EQ(created["apiVersion"], "wire.example.com/v1alpha1");
  EXPECT_EQ(created["metadata"]["uid"].get<std::string>().size(), 36u);
  EXPECT_EQ(created["metadata"]["namespace"], "wire-capture");
  EXPECT_EQ(created["metadata"]["creationTimestamp"].get<std::string>().size(), 20u);

  std::string w = std::string(kWidgets) + "/w";
  HttpAnswer spec = client().Patch(w, R"({"spec":{"size":4},"status":{"phase":"ignored-on-main-resource"}})");
  ASSERT_EQ(spec.status, 200);
  EXPECT_EQ(spec.Json()["metadata"]["generation"], 2);
  EXPECT_FALSE(spec.Json().contains("status"));
  EXPECT_GT(Rv(spec.Json()), Rv(created));

  HttpAnswer status = client().Patch(w + "/status", R"({"spec":{"size":50},"status":{"phase":"Ready"}})");
  ASSERT_EQ(status.status, 200);
  EXPECT_EQ(status.Json()["metadata"]["generation"], 2);
  EXPECT_EQ(status.Json()["spec"]["size"], 4);
  EXPECT_EQ(status.Json()["status"]["phase"], "Ready");

  HttpAnswer meta = client().Patch(w, R"({"metadata":{"annotations":{"x":"y"}}})");
  EXPECT_EQ(meta.Json()["metadata"]["generation"], 2);
  EXPECT_EQ(meta.Json()["status"]["phase"], "Ready");

  // PUT of a custom resource needs a resourceVersion; with the current one it succeeds.
  json body = meta.Json();
  body["spec"]["size"] = 5;
  body["metadata"].erase("resourceVersion");
  HttpAnswer unconditional = client().Put(w, body);
  EXPECT_EQ(unconditional.status, 422);
  EXPECT_EQ(unconditional.Json()["details"]["causes"][0]["field"], "metadata.resourceVersion");
  body["metadata"]["resourceVersion"] = meta.Json()["metadata"]["resourceVersion"];
  HttpAnswer put = client().Put(w, body);
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(put.Json()["metadata"]["generation"], 3);
  EXPECT_EQ(put.Json()["status"]["phase"], "Ready");

  HttpAnswer got = client().Get(w);
  EXPECT_EQ(got.Json(), put.Json());
}

TEST_F(FakeKubeTest, NoOpWriteKeepsResourceVersion) {
  CreateWidgetCrd();
  json created = MustCreate(kWidgets, {{"metadata", {{"name", "w"}}}, {"spec", {{"size", 1}}}});
  HttpAnswer same = client().Patch(std::string(kWidgets) + "/w", R"({"spec":{"size":1}})");
  EXPECT_EQ(same.Json()["metadata"]["resourceVersion"], created["metadata"]["resourceVersion"]);
}

TEST_F(FakeKubeTest, DeploymentTemplateChangeBumpsGenerationStatusDoesNot) {
  json created = MustCreate(kDeployments, json::parse(R"J({"apiVersion":"apps/v1","kind":"Deployment",
      "metadata":{"name":"api"},"spec":{"replicas":2,"selector":{"matchLabels":{"app":"api"}},
      "template":{"metadata":{"labels":{"app":"api"}},"spec":{"containers":[{"name":"c","image":"example/api:1"}]}}}})J"));
  EXPECT_EQ(created["metadata"]["generation"], 1);
  EXPECT_EQ(created["status"], json::object());
  EXPECT_EQ(created["spec"]["strategy"]["type"], "RollingUpdate");
  std::string api = std::string(kDeployments) + "/api";
  HttpAnswer annotate = client().Patch(
      api, R"({"spec":{"template":{"metadata":{"annotations":{"keyroll.dev/keys-hash":"abc"}}}}})");
  EXPECT_EQ(annotate.Json()["metadata"]["generation"], 2);
  HttpAnswer status = client().Patch(api + "/status",
                                     R"({"status":{"observedGeneration":2,"replicas":2,"updatedReplicas":2}})");
  EXPECT_EQ(status.Json()["metadata"]["generation"], 2);
  EXPECT_EQ(status.Json()["status"]["updatedReplicas"], 2);
  EXPECT_EQ(status.Json()["spec"]["template"]["metadata"]["annotations"]["keyroll.dev/keys-hash"], "abc");
  HttpAnswer labels = client().Patch(api, R"({"metadata":{"labels":{"team":"a"}},"status":{"replicas":9}})");
  EXPECT_EQ(labels.Json()["metadata"]["generation"], 2);
  EXPECT_EQ(labels.Json()["status"]["replicas"], 2);
}

TEST_F(FakeKubeTest, SecretStringDataBecomesBase64Data) {
  json created = MustCreate(kSecrets, json::parse(R"J({"apiVersion":"v1","kind":"Secret",
      "metadata":{"name":"keys","labels":{"app":"demo"}},"type":"Opaque","stringData":{"CURRENT":"c1","NEXT":"n1"}})J"));
  EXPECT_EQ(created["data"], json::parse(R"J({"CURRENT":"YzE=","NEXT":"bjE="})J"));
  EXPECT_FALSE(created.contains("stringData"));
  EXPECT_FALSE(created["metadata"].contains("generation"));
  HttpAnswer patched = client().Patch(std::string(kSecrets) + "/keys",
                                      R"({"metadata":{"annotations":{"a":"b"}},"stringData":{"NEXT":"n2"}})");
  EXPECT_EQ(patched.Json()["data"], json::parse(R"J({"CURRENT":"YzE=","NEXT":"bjI="})J"));
  HttpAnswer bad = client().Post(kSecrets, {{"metadata", {{"name", "bad"}}}, {"data", {{"k", "not base64!"}}}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.Json()["message"].get<std::string>().find("illegal base64 data"), std::string::npos);
}

TEST_F(FakeKubeTest, JsonPatchAndUnconditionalPut) {
  MustCreate("/api/v1/namespaces/wire-capture/configmaps",
             {{"metadata", {{"name", "cm1"}, {"labels", {{"n", "1"}}}}}, {"data", {{"k", "v1"}}}});
  std::string cm = "/api/v1/namespaces/wire-capture/configmaps/cm1";
  HttpAnswer patched = client().Patch(cm, R"([{"op":"replace","path":"/data/k","value":"patched"}])",
                                      "application/json-patch+json");
  ASSERT_EQ(patched.status, 200);
  EXPECT_EQ(patched.Json()["data"]["k"], "patched");
  HttpAnswer put = client().Put(cm, {{"apiVersion", "v1"}, {"kind", "ConfigMap"},
                                     {"metadata", {{"name", "cm1"}}}, {"data", {{"k", "put"}}}});
  ASSERT_EQ(put.status, 200);
  EXPECT_EQ(put.Json()["data"]["k"], "put");
  EXPECT_FALSE(put.Json()["metadata"].contains("labels"));
  EXPECT_EQ(put.Json()["metadata"]["uid"], patched.Json()["metadata"]["uid"]);
  EXPECT_EQ(client().Put("/api/v1/namespaces/wire-capture/configmaps/none",
                         {{"metadata", {{"name", "none"}}}}).status, 404);
  HttpAnswer smp = client().Patch(cm, R"({"data":{"k2":"v"},"$setElementOrder/x":[]})",
                                  "application/strategic-merge-patch+json");
  EXPECT_EQ(smp.Json()["data"], json::parse(R"J({"k":"put","k2":"v"})J"));
}

TEST_F(FakeKubeTest, DeleteAnswersAndPreconditions) {
  json cm = MustCreate("/api/v1/namespaces/wire-capture/configmaps", {{"metadata", {{"name", "cm5"}}}});
  std::string path = "/api/v1/namespaces/wire-capture/configmaps/cm5";
  HttpAnswer wrong_uid = client().Delete(path, R"({"preconditions":{"uid":"other"}})");
  EXPECT_EQ(wrong_uid.status, 409);
  EXPECT_EQ(wrong_uid.Json()["reason"], "Conflict");
  HttpAnswer deleted = client().Delete(path);
  EXPECT_EQ(deleted.status, 200);
  EXPECT_EQ(deleted.Json(), json({{"kind", "Status"}, {"apiVersion", "v1"}, {"metadata", json::object()},
                                  {"status", "Success"},
                                  {"details", {{"name", "cm5"}, {"kind", "configmaps"},
                                               {"uid", cm["metadata"]["uid"]}}}}));
  EXPECT_EQ(client().Delete(path).status, 404);

  CreateWidgetCrd();
  json w = MustCreate(kWidgets, {{"metadata", {{"name", "w"}}}});
  HttpAnswer cr = client().Delete(std::string(kWidgets) + "/w");
  EXPECT_EQ(cr.Json()["details"], json({{"name", "w"}, {"group", "wire.example.com"}, {"kind", "widgets"},
                                        {"uid", w["metadata"]["uid"]}}));
}

TEST_F(FakeKubeTest, DeletingANamespaceDeletesItsObjects) {
  MustCreate(kSecrets, {{"metadata", {{"name", "s"}}}});
  HttpAnswer ns = client().Delete("/api/v1/namespaces/wire-capture");
  EXPECT_EQ(ns.status, 200);
  EXPECT_EQ(ns.Json()["status"]["phase"], "Terminating");
  EXPECT_EQ(client().Get(std::string(kSecrets) + "/s").status, 404);
  EXPECT_EQ(client().Get("/api/v1/namespaces/wire-capture").status, 404);
}

TEST_F(FakeKubeTest, GenerateNameAndClusterScopedObjects) {
  json event = MustCreate("/api/v1/namespaces/wire-capture/events",
                          {{"metadata", {{"generateName", "w."}}}, {"reason", "Rotated"}});
  std::string name = event["metadata"]["name"];
  EXPECT_EQ(name.size(), 7u);
  EXPECT_EQ(name.rfind("w.", 0), 0u);
  EXPECT_TRUE(event.contains("eventTime"));
  json ns = MustCreate("/api/v1/namespaces", {{"metadata", {{"name", "other"}}}});
  EXPECT_FALSE(ns["metadata"].contains("namespace"));
  EXPECT_EQ(ns["status"]["phase"], "Active");
  EXPECT_EQ(client().Post("/api/v1/namespaces", {{"metadata", {{"name", "a.b"}}}}).status, 422);
}

TEST_F(FakeKubeTest, DirectStoreAccessMatchesHttp) {
  api().Create("v1", "secrets", "wire-capture", {{"metadata", {{"name", "direct"}}}, {"stringData", {{"a", "b"}}}});
  HttpAnswer got = client().Get(std::string(kSecrets) + "/direct");
  ASSERT_EQ(got.status, 200);
  EXPECT_EQ(got.Json()["data"]["a"], "Yg==");
  client().Patch(std::string(kSecrets) + "/direct", R"({"metadata":{"labels":{"x":"1"}}})");
  auto stored = api().Get("v1", "secrets", "wire-capture", "direct");
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ((*stored)["metadata"]["labels"]["x"], "1");
  EXPECT_EQ(api().List("v1", "secrets", "wire-capture").size(), 1u);
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::fakes
