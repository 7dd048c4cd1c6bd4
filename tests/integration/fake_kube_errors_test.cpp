// The fake answers errors with the exact Status bodies a real kube-apiserver sends
// (compare /work/shared/k8s-wire/4*.txt).
#include "tests/integration/fake_kube_fixture.h"

namespace keyroll::fakes {
namespace {
namespace KEYROLL_UNITY_ID {

constexpr const char* kSecrets = "/api/v1/namespaces/wire-capture/secrets";

json Secret(const std::string& name) {
  return {{"apiVersion", "v1"}, {"kind", "Secret"}, {"metadata", {{"name", name}}}, {"type", "Opaque"}};
}

TEST_F(FakeKubeTest, UnknownTokenIs401Unauthorized) {
  client().set_token("wrong");
  HttpAnswer a = client().Get(kSecrets);
  EXPECT_EQ(a.status, 401);
  EXPECT_EQ(a.Json(), json::parse(R"J({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",
                                      "message":"Unauthorized","reason":"Unauthorized","code":401})J"));
  client().set_token("");
  EXPECT_EQ(client().Get(kSecrets).status, 401);
}

TEST_F(FakeKubeTest, DeniedRequestIs403WithRealMessage) {
  api().AddUser("dev-token", "dev", {PolicyRule{{""}, {"configmaps"}, {"get", "list"}, {}}});
  client().set_token("dev-token");
  HttpAnswer a = client().Get(kSecrets);
  EXPECT_EQ(a.status, 403);
  EXPECT_EQ(a.Header("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(a.Json(), json::parse(R"J({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",
      "message":"secrets is forbidden: User \"dev\" cannot list resource \"secrets\" in API group \"\" in the namespace \"wire-capture\"",
      "reason":"Forbidden","details":{"kind":"secrets"},"code":403})J"));
  HttpAnswer cluster = client().Get("/apis/apps/v1/deployments");
  EXPECT_EQ(cluster.Json()["message"],
            "deployments.apps is forbidden: User \"dev\" cannot list resource \"deployments\" in API "
            "group \"apps\" at the cluster scope");
  EXPECT_EQ(client().Get("/api/v1/namespaces/wire-capture/configmaps").status, 200);
}

TEST_F(FakeKubeTest, NamespaceRestrictedRuleAndStatusSubresourceRule) {
  api().AddUser("op", "operator",
                {PolicyRule{{"apps"}, {"deployments/status"}, {"patch"}, {"wire-capture"}},
                 PolicyRule{{"apps"}, {"deployments"}, {"get"}, {"wire-capture"}}});
  MustCreate("/apis/apps/v1/namespaces/wire-capture/deployments",
             {{"metadata", {{"name", "api"}}}, {"spec", {{"replicas", 1}}}});
  client().set_token("op");
  EXPECT_EQ(client().Patch("/apis/apps/v1/namespaces/wire-capture/deployments/api/status",
                           R"J({"status":{"replicas":1}})J").status, 200);
  HttpAnswer main = client().Patch("/apis/apps/v1/namespaces/wire-capture/deployments/api", R"J({"spec":{}})J");
  EXPECT_EQ(main.status, 403);
  EXPECT_EQ(main.Json()["message"],
            "deployments.apps \"api\" is forbidden: User \"operator\" cannot patch resource "
            "\"deployments\" in API group \"apps\" in the namespace \"wire-capture\"");
  EXPECT_EQ(client().Get("/apis/apps/v1/namespaces/default/deployments/api").status, 403);
}

TEST_F(FakeKubeTest, MissingObjectIs404NotFound) {
  HttpAnswer a = client().Get(std::string(kSecrets) + "/missing");
  EXPECT_EQ(a.status, 404);
  EXPECT_EQ(a.Json(), json::parse(R"J({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",
      "message":"secrets \"missing\" not found","reason":"NotFound",
      "details":{"name":"missing","kind":"secrets"},"code":404})J"));
  HttpAnswer unknown = client().Get("/api/v1/namespaces/wire-capture/gizmos");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(unknown.Json()["message"], "the server could not find the requested resource");
  EXPECT_EQ(client().Get("/apis/nope.example.com/v1/things").status, 404);
}

TEST_F(FakeKubeTest, CreateIntoMissingNamespaceIs404) {
  HttpAnswer a = client().Post("/api/v1/namespaces/nowhere/secrets", Secret("keys"));
  EXPECT_EQ(a.status, 404);
  EXPECT_EQ(a.Json()["message"], "namespaces \"nowhere\" not found");
  EXPECT_EQ(a.Json()["details"], json::parse(R"J({"name":"nowhere","kind":"namespaces"})J"));
}

TEST_F(FakeKubeTest, DuplicateCreateIs409AlreadyExists) {
  MustCreate(kSecrets, Secret("keys"));
  HttpAnswer a = client().Post(kSecrets, Secret("keys"));
  EXPECT_EQ(a.status, 409);
  EXPECT_EQ(a.Json(), json::parse(R"J({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",
      "message":"secrets \"keys\" already exists","reason":"AlreadyExists",
      "details":{"name":"keys","kind":"secrets"},"code":409})J"));
}

TEST_F(FakeKubeTest, StaleUpdateIs409Conflict) {
  MustCreate(kSecrets, Secret("keys"));
  json stale = Secret("keys");
  stale["metadata"]["resourceVersion"] = "1";
  HttpAnswer a = client().Put(std::string(kSecrets) + "/keys", stale);
  EXPECT_EQ(a.status, 409);
  EXPECT_EQ(a.Json(), json::parse(R"J({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",
      "message":"Operation cannot be fulfilled on secrets \"keys\": the object has been modified; please apply your changes to the latest version and try again",
      "reason":"Conflict","details":{"name":"keys","kind":"secrets"},"code":409})J"));
  HttpAnswer patch = client().Patch(std::string(kSecrets) + "/keys",
                                    R"J({"metadata":{"resourceVersion":"5"},"data":{}})J");
  EXPECT_EQ(patch.status, 409);
  EXPECT_EQ(patch.Json()["reason"], "Conflict");
}

TEST_F(FakeKubeTest, ListAtCompactedVersionIs410AndWatchGetsErrorEvent) {
  MustCreate(kSecrets, Secret("a"));
  api().ExpireWatches(false, true);  // history gone: older versions are compacted
  HttpAnswer a = client().Get(std::string(kSecrets) + "?resourceVersion=323&resourceVersionMatch=Exact");
  EXPECT_EQ(a.status, 410);
  EXPECT_EQ(a.Json(), json::parse(R"J({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",
      "message":"The resourceVersion for the provided list is too old.","reason":"Expired","code":410})J"));

  auto watch = Watch("/api/v1/namespaces/wire-capture/configmaps?watch=true&resourceVersion=323");
  ASSERT_TRUE(watch->WaitForEvents(1));
  EXPECT_EQ(watch->status(), 200);
  json event = watch->Events()[0];
  EXPECT_EQ(event["type"], "ERROR");
  EXPECT_EQ(event["object"]["code"], 410);
  EXPECT_EQ(event["object"]["reason"], "Expired");
  EXPECT_EQ(event["object"]["message"],
            "too old resource version: 323 (" + std::to_string(api().store().OldestRv()) + ")");
  EXPECT_TRUE(keyroll::testing::WaitUntil([&] { return watch->ended(); }));
}

TEST_F(FakeKubeTest, BadNameIs422InvalidWithCause) {
  HttpAnswer a = client().Post(kSecrets, Secret("Bad_Name"));
  EXPECT_EQ(a.status, 422);
  EXPECT_EQ(a.Json(), json::parse(R"J({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",
      "message":"Secret \"Bad_Name\" is invalid: metadata.name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
      "reason":"Invalid","details":{"name":"Bad_Name","kind":"Secret","causes":[{"reason":"FieldValueInvalid",
      "message":"Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
      "field":"metadata.name"}]},"code":422})J"));
  HttpAnswer missing = client().Post(kSecrets, {{"metadata", json::object()}});
  EXPECT_EQ(missing.status, 422);
  EXPECT_EQ(missing.Json()["details"]["causes"][0]["reason"], "FieldValueRequired");
}

TEST_F(FakeKubeTest, FailedJsonPatchTestIs422) {
  MustCreate("/api/v1/namespaces/wire-capture/configmaps",
             {{"metadata", {{"name", "cm1"}}}, {"data", {{"k", "v1"}}}});
  HttpAnswer a = client().Patch("/api/v1/namespaces/wire-capture/configmaps/cm1",
                                R"J([{"op":"test","path":"/data/k","value":"nope"}])J",
                                "application/json-patch+json");
  EXPECT_EQ(a.status, 422);
  EXPECT_EQ(a.Json(), json::parse(R"J({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",
      "message":"the server rejected our request due to an error in our request","reason":"Invalid",
      "details":{},"code":422})J"));
}

TEST_F(FakeKubeTest, BadRequestsAre400) {
  HttpAnswer json_error = client().PostRaw(kSecrets, R"J({"apiVersion":"v1","kind":)J", "application/json");
  EXPECT_EQ(json_error.status, 400);
  EXPECT_EQ(json_error.Json(), json::parse(R"J({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",
      "message":"the object provided is unrecognized (must be of type Secret): couldn't get version/kind; json parse error: unexpected end of JSON input ({\"apiVersion\":\"v1\",\"kind\":)",
      "reason":"BadRequest","code":400})J"));
  HttpAnswer field = client().Get("/api/v1/namespaces/wire-capture/configmaps?fieldSelector=spec.foo%3Dx");
  EXPECT_EQ(field.status, 400);
  EXPECT_EQ(field.Json(), json::parse(R"J({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",
      "message":"\"spec.foo\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\"",
      "reason":"BadRequest","code":400})J"));
  json other_ns = Secret("x");
  other_ns["metadata"]["namespace"] = "default";
  HttpAnswer mismatch = client().Post(kSecrets, other_ns);
  EXPECT_EQ(mismatch.status, 400);
  EXPECT_EQ(mismatch.Json()["reason"], "BadRequest");
  EXPECT_EQ(client().Get(std::string(kSecrets) + "?labelSelector=a%20in%20(x").status, 400);
}

TEST_F(FakeKubeTest, UnknownPatchTypeIs415) {
  MustCreate(kSecrets, Secret("keys"));
  HttpAnswer a = client().Patch(std::string(kSecrets) + "/keys", "{}", "application/apply-patch+yaml");
  EXPECT_EQ(a.status, 415);
  EXPECT_EQ(a.Json()["reason"], "UnsupportedMediaType");
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::fakes
