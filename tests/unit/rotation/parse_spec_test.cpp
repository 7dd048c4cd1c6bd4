#include "operator/rotation/parse_spec.h"

#include <gtest/gtest.h>

#include <functional>

#include "operator/rotation/vocabulary.h"

namespace keyroll::rotation {
namespace {
namespace KEYROLL_UNITY_ID {

using nlohmann::json;

json Minimal() {
  return json::parse(R"({
    "apiVersion": "keyroll.dev/v1alpha1", "kind": "SigningKeyRotation",
    "metadata": {"name": "payments", "namespace": "payments", "uid": "u-1", "generation": 3,
                 "resourceVersion": "42", "creationTimestamp": "2026-01-01T00:00:00Z"},
    "spec": {"provider": {"qstash": {"tokenSecretRef": {"name": "qstash", "key": "QSTASH_TOKEN"}}}}
  })");
}

json Full() {
  json r = Minimal();
  r["spec"] = json::parse(R"({
    "provider": {"qstash": {"tokenSecretRef": {"name": "qstash", "key": "QSTASH_TOKEN"},
                            "url": "https://qstash-us-east-1.upstash.io/"}},
    "target": {"secretName": "qstash-signing-keys", "currentKey": "CUR", "nextKey": "NEXT",
               "labels": {"team": "payments"}, "annotations": {"example.com/note": "hello wörld"},
               "deletionPolicy": "Retain"},
    "refreshInterval": "90s",
    "rotation": {"schedule": "0 3 * * 1", "timeZone": "Europe/Berlin", "maxKeyAge": "720h",
                 "requestID": "2026-11-22", "minInterval": "2h", "suspend": true},
    "consumers": {"deployments": [{"name": "api"},
                                  {"selector": {"matchLabels": {"app.kubernetes.io/part-of": "payments"},
                                                "matchExpressions": [{"key": "tier", "operator": "In", "values": ["web"]},
                                                                     {"key": "legacy", "operator": "DoesNotExist"}]}}],
                  "discover": false, "restart": "None", "maxConcurrentRestarts": 2}
  })");
  return r;
}

// statefulSets and daemonSets are declared like deployments; each keeps its kind, and a name
// may appear once per kind (a Deployment and a StatefulSet may share it).
TEST(ParseSpec, ConsumersOfEveryKind) {
  json r = Minimal();
  r["spec"]["consumers"] = json::parse(R"({
    "deployments": [{"name": "api"}],
    "statefulSets": [{"name": "api"}, {"selector": {"matchLabels": {"app": "db"}}}],
    "daemonSets": [{"name": "edge"}]})");
  auto parsed = ParseSpec(r);
  ASSERT_TRUE(parsed.ok()) << JoinFieldErrors(parsed.error());
  const auto& w = parsed.value().consumers.workloads;
  ASSERT_EQ(w.size(), 4u);
  EXPECT_EQ(w[0], (WorkloadRef{WorkloadKind::Deployment, "api", std::nullopt}));
  EXPECT_EQ(w[1], (WorkloadRef{WorkloadKind::StatefulSet, "api", std::nullopt}));
  EXPECT_EQ(w[2].kind, WorkloadKind::StatefulSet);
  ASSERT_TRUE(w[2].selector.has_value());
  EXPECT_EQ(w[3], (WorkloadRef{WorkloadKind::DaemonSet, "edge", std::nullopt}));

  r["spec"]["consumers"] = json::parse(R"({"daemonSets": [{"name": "edge"}, {"name": "edge"}]})");
  auto dup = ParseSpec(r);
  ASSERT_FALSE(dup.ok());
  EXPECT_NE(JoinFieldErrors(dup.error()).find("spec.consumers.daemonSets[1].name: duplicate DaemonSet \"edge\""),
            std::string::npos)
      << JoinFieldErrors(dup.error());
  r["spec"]["consumers"] = json::parse(R"({"statefulSets": [{"name": "db", "selector": {"matchLabels": {"a": "b"}}}]})");
  auto both = ParseSpec(r);
  ASSERT_FALSE(both.ok());
  EXPECT_NE(JoinFieldErrors(both.error()).find("spec.consumers.statefulSets[0]"), std::string::npos);
}

TEST(ParseSpec, MinimalGetsDefaults) {
  auto r = ParseSpec(Minimal());
  ASSERT_TRUE(r.ok()) << JoinFieldErrors(r.error());
  const Spec& s = r.value();
  const auto* q = AsQStash(s);
  ASSERT_NE(q, nullptr);
  EXPECT_EQ(q->token_secret_ref, (SecretKeyRef{"qstash", "QSTASH_TOKEN"}));
  EXPECT_EQ(q->url, "https://qstash.upstash.io");
  EXPECT_EQ(s.target.secret_name, "payments");
  EXPECT_EQ(s.target.current_key, "QSTASH_CURRENT_SIGNING_KEY");
  EXPECT_EQ(s.target.next_key, "QSTASH_NEXT_SIGNING_KEY");
  EXPECT_EQ(s.target.deletion_policy, DeletionPolicy::Delete);
  EXPECT_EQ(s.refresh_interval, std::chrono::minutes{5});
  EXPECT_EQ(s.rotation.time_zone, "UTC");
  EXPECT_EQ(s.rotation.min_interval, std::chrono::hours{1});
  EXPECT_FALSE(s.rotation.max_key_age.has_value());
  EXPECT_TRUE(s.rotation.schedule.empty());
  EXPECT_FALSE(s.rotation.suspend);
  EXPECT_TRUE(s.consumers.discover);
  EXPECT_EQ(s.consumers.restart, RestartPolicy::RolloutRestart);
  EXPECT_EQ(s.consumers.max_concurrent_restarts, 1);
  EXPECT_TRUE(s.consumers.workloads.empty());
}

// The CRD defaults tokenSecretRef.key; where no API server applied it (the fake, or a
// resource written before the default existed) the operator applies the same default.
TEST(ParseSpec, TokenSecretRefKeyDefaultsToQStashToken) {
  json r = Minimal();
  r["spec"]["provider"]["qstash"]["tokenSecretRef"].erase("key");
  auto parsed = ParseSpec(r);
  ASSERT_TRUE(parsed.ok()) << JoinFieldErrors(parsed.error());
  EXPECT_EQ(AsQStash(parsed.value())->token_secret_ref, (SecretKeyRef{"qstash", "QSTASH_TOKEN"}));
}

TEST(ParseSpec, FullResourceIsReadExactly) {
  auto r = ParseSpec(Full());
  ASSERT_TRUE(r.ok()) << JoinFieldErrors(r.error());
  const Spec& s = r.value();
  EXPECT_EQ(AsQStash(s)->url, "https://qstash-us-east-1.upstash.io");
  EXPECT_EQ(s.target.secret_name, "qstash-signing-keys");
  EXPECT_EQ(s.target.current_key, "CUR");
  EXPECT_EQ(s.target.next_key, "NEXT");
  EXPECT_EQ(s.target.labels, (StringMap{{"team", "payments"}}));
  EXPECT_EQ(s.target.annotations.at("example.com/note"), "hello wörld");
  EXPECT_EQ(s.target.deletion_policy, DeletionPolicy::Retain);
  EXPECT_EQ(s.refresh_interval, std::chrono::seconds{90});
  EXPECT_EQ(s.rotation.schedule, "0 3 * * 1");
  EXPECT_EQ(s.rotation.time_zone, "Europe/Berlin");
  EXPECT_EQ(s.rotation.max_key_age, std::chrono::hours{720});
  EXPECT_EQ(s.rotation.request_id, "2026-11-22");
  EXPECT_EQ(s.rotation.min_interval, std::chrono::hours{2});
  EXPECT_TRUE(s.rotation.suspend);
  ASSERT_EQ(s.consumers.workloads.size(), 2u);
  EXPECT_EQ(s.consumers.workloads[0].name, "api");
  ASSERT_TRUE(s.consumers.workloads[1].selector.has_value());
  const auto& sel = *s.consumers.workloads[1].selector;
  EXPECT_EQ(sel.match_labels.at("app.kubernetes.io/part-of"), "payments");
  ASSERT_EQ(sel.match_expressions.size(), 2u);
  EXPECT_EQ(sel.match_expressions[0].op, SelectorOperator::In);
  EXPECT_EQ(sel.match_expressions[1].op, SelectorOperator::DoesNotExist);
  EXPECT_FALSE(s.consumers.discover);
  EXPECT_EQ(s.consumers.restart, RestartPolicy::None);
  EXPECT_EQ(s.consumers.max_concurrent_restarts, 2);
}

TEST(ParseSpec, Auth0WithDefaults) {
  json r = Minimal();
  r["spec"]["provider"] = json::parse(R"({"auth0": {"domain": "tenant.eu.auth0.com",
                                          "clientSecretRef": {"name": "auth0-mgmt"}}})");
  auto s = ParseSpec(r);
  ASSERT_TRUE(s.ok()) << JoinFieldErrors(s.error());
  const auto* a = AsAuth0(s.value());
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->domain, "tenant.eu.auth0.com");
  EXPECT_EQ(a->client_secret_ref.client_id_key, "AUTH0_CLIENT_ID");
  EXPECT_EQ(a->client_secret_ref.client_secret_key, "AUTH0_CLIENT_SECRET");
  EXPECT_EQ(a->audience, "https://tenant.eu.auth0.com/api/v2/");
  EXPECT_EQ(s.value().target.current_key, "AUTH0_CURRENT_SIGNING_CERT");
  EXPECT_EQ(s.value().target.next_key, "AUTH0_NEXT_SIGNING_CERT");
}

struct Invalid {
  const char* name;
  std::function<void(json&)> mutate;
  const char* path;
  const char* fragment;
};

json Deep(int depth) {
  return json::parse(std::string(depth, '[') + "1" + std::string(depth, ']'));
}

TEST(ParseSpec, InvalidResourcesNameTheField) {
  const std::vector<Invalid> cases = {
      {"not an object", [](json& r) { r = json::array(); }, "", "JSON object"},
      {"wrong kind", [](json& r) { r["kind"] = "Secret"; }, "kind", "SigningKeyRotation"},
      {"wrong apiVersion", [](json& r) { r["apiVersion"] = "keyroll.dev/v2"; }, "apiVersion", "keyroll.dev/v1alpha1"},
      {"no metadata name", [](json& r) { r["metadata"].erase("name"); }, "metadata.name", "required"},
      {"bad metadata name", [](json& r) { r["metadata"]["name"] = "Payments"; }, "metadata.name", "RFC 1123"},
      {"missing spec", [](json& r) { r.erase("spec"); }, "spec", "required"},
      {"spec is a string", [](json& r) { r["spec"] = "yes"; }, "spec", "must be an object"},
      {"unknown spec field", [](json& r) { r["spec"]["rotaton"] = json::object(); }, "spec.rotaton", "unknown field"},
      {"no provider", [](json& r) { r["spec"].erase("provider"); }, "spec.provider", "required"},
      {"neither provider", [](json& r) { r["spec"]["provider"] = json::object(); }, "spec.provider", "exactly one provider"},
      {"both providers", [](json& r) { r["spec"]["provider"]["auth0"] = {{"domain", "a.auth0.com"}}; }, "spec.provider", "found both"},
      // Found by tests/robustness/hostile/provider-qstash-null.yaml: once accepted as a
      // provider with no token Secret and no URL.
      {"qstash null alone", [](json& r) { r["spec"]["provider"] = {{"qstash", nullptr}}; }, "spec.provider", "exactly one provider"},
      {"both null", [](json& r) { r["spec"]["provider"] = {{"qstash", nullptr}, {"auth0", nullptr}}; }, "spec.provider", "exactly one provider"},
      {"qstash not object", [](json& r) { r["spec"]["provider"]["qstash"] = 5; }, "spec.provider.qstash", "must be an object"},
      {"no token ref", [](json& r) { r["spec"]["provider"]["qstash"].erase("tokenSecretRef"); }, "spec.provider.qstash.tokenSecretRef", "required"},
      {"token ref cross-namespace", [](json& r) { r["spec"]["provider"]["qstash"]["tokenSecretRef"]["namespace"] = "kube-system"; }, "spec.provider.qstash.tokenSecretRef.namespace", "cross-namespace"},
      {"token ref bad name", [](json& r) { r["spec"]["provider"]["qstash"]["tokenSecretRef"]["name"] = "Bad_Name"; }, "spec.provider.qstash.tokenSecretRef.name", "RFC 1123"},
      {"token ref key number", [](json& r) { r["spec"]["provider"]["qstash"]["tokenSecretRef"]["key"] = 7; }, "spec.provider.qstash.tokenSecretRef.key", "must be a string"},
      {"token ref bad key", [](json& r) { r["spec"]["provider"]["qstash"]["tokenSecretRef"]["key"] = "a/b"; }, "spec.provider.qstash.tokenSecretRef.key", "Secret data key"},
      {"http url", [](json& r) { r["spec"]["provider"]["qstash"]["url"] = "http://qstash.upstash.io"; }, "spec.provider.qstash.url", "https://"},
      {"url with token", [](json& r) { r["spec"]["provider"]["qstash"]["url"] = "https://qstash.upstash.io/?qstash_token=x"; }, "spec.provider.qstash.url", "query"},
      {"url with credentials", [](json& r) { r["spec"]["provider"]["qstash"]["url"] = "https://user:pw@qstash.upstash.io"; }, "spec.provider.qstash.url", "credentials"},
      {"auth0 no domain", [](json& r) { r["spec"]["provider"] = {{"auth0", {{"clientSecretRef", {{"name", "m"}}}}}}; }, "spec.provider.auth0.domain", "required"},
      {"auth0 bad port", [](json& r) { r["spec"]["provider"] = {{"auth0", {{"domain", "a.auth0.com:99999"}, {"clientSecretRef", {{"name", "m"}}}}}}; }, "spec.provider.auth0.domain", "port"},
      {"auth0 ref cross-namespace", [](json& r) { r["spec"]["provider"] = {{"auth0", {{"domain", "a.auth0.com"}, {"clientSecretRef", {{"name", "m"}, {"namespace", "x"}}}}}}; }, "spec.provider.auth0.clientSecretRef.namespace", "cross-namespace"},
      {"target bad secretName", [](json& r) { r["spec"]["target"] = {{"secretName", "-bad-"}}; }, "spec.target.secretName", "RFC 1123"},
      {"target long secretName", [](json& r) { r["spec"]["target"] = {{"secretName", std::string(300, 'a')}}; }, "spec.target.secretName", "no more than 253"},
      {"target namespace", [](json& r) { r["spec"]["target"] = {{"namespace", "other"}}; }, "spec.target.namespace", "cross-namespace"},
      {"target same keys", [](json& r) { r["spec"]["target"] = {{"currentKey", "K"}, {"nextKey", "K"}}; }, "spec.target.nextKey", "must differ"},
      {"target label value", [](json& r) { r["spec"]["target"] = {{"labels", {{"team", "a b"}}}}; }, "spec.target.labels[team]", "label value"},
      {"target label key", [](json& r) { r["spec"]["target"] = {{"labels", {{"Bad Key", "x"}}}}; }, "spec.target.labels[Bad Key]", "key"},
      {"target label not string", [](json& r) { r["spec"]["target"] = {{"labels", {{"team", 3}}}}; }, "spec.target.labels[team]", "must be a string"},
      {"target managed-by override", [](json& r) { r["spec"]["target"] = {{"labels", {{"app.kubernetes.io/managed-by", "helm"}}}}; }, "spec.target.labels[app.kubernetes.io/managed-by]", "cannot be overridden"},
      {"target reserved annotation", [](json& r) { r["spec"]["target"] = {{"annotations", {{"keyroll.dev/keys-hash", "x"}}}}; }, "spec.target.annotations[keyroll.dev/keys-hash]", "reserved"},
      {"target deletionPolicy", [](json& r) { r["spec"]["target"] = {{"deletionPolicy", "Orphan"}}; }, "spec.target.deletionPolicy", "Delete or Retain"},
      {"refresh garbage", [](json& r) { r["spec"]["refreshInterval"] = "soon"; }, "spec.refreshInterval", "expected a number"},
      {"refresh too short", [](json& r) { r["spec"]["refreshInterval"] = "1s"; }, "spec.refreshInterval", "between 10s and 168h0m0s"},
      {"refresh negative", [](json& r) { r["spec"]["refreshInterval"] = "-5m"; }, "spec.refreshInterval", "negative"},
      {"refresh as number", [](json& r) { r["spec"]["refreshInterval"] = 300; }, "spec.refreshInterval", "must be a string"},
      {"refresh sub-second", [](json& r) { r["spec"]["refreshInterval"] = "10.5s"; }, "spec.refreshInterval", "whole seconds"},
      {"schedule bad", [](json& r) { r["spec"]["rotation"] = {{"schedule", "0 3 * *"}}; }, "spec.rotation.schedule", "expected 5 fields"},
      {"schedule impossible", [](json& r) { r["spec"]["rotation"] = {{"schedule", "0 0 30 2 *"}}; }, "spec.rotation.schedule", "never occurs"},
      {"time zone unknown", [](json& r) { r["spec"]["rotation"] = {{"timeZone", "Europe/Atlantis"}}; }, "spec.rotation.timeZone", "unknown time zone"},
      {"maxKeyAge absurd", [](json& r) { r["spec"]["rotation"] = {{"maxKeyAge", "1000000h"}}; }, "spec.rotation.maxKeyAge", "between"},
      {"maxKeyAge overflow", [](json& r) { r["spec"]["rotation"] = {{"maxKeyAge", "99999999999999999999h"}}; }, "spec.rotation.maxKeyAge", "too large"},
      {"minInterval unit", [](json& r) { r["spec"]["rotation"] = {{"minInterval", "1d"}}; }, "spec.rotation.minInterval", "unknown unit"},
      {"suspend string", [](json& r) { r["spec"]["rotation"] = {{"suspend", "true"}}; }, "spec.rotation.suspend", "true or false"},
      {"requestID control char", [](json& r) { r["spec"]["rotation"] = {{"requestID", "a\nb"}}; }, "spec.rotation.requestID", "control characters"},
      {"requestID huge", [](json& r) { r["spec"]["rotation"] = {{"requestID", std::string(10000, 'x')}}; }, "spec.rotation.requestID", "no more than 253"},
      {"rotation typo", [](json& r) { r["spec"]["rotation"] = {{"maxkeyAge", "1h"}}; }, "spec.rotation.maxkeyAge", "unknown field"},
      {"deployments not list", [](json& r) { r["spec"]["consumers"] = {{"deployments", {{"name", "api"}}}}; }, "spec.consumers.deployments", "must be a list"},
      {"deployment both", [](json& r) { r["spec"]["consumers"] = {{"deployments", {{{"name", "api"}, {"selector", {{"matchLabels", {{"a", "b"}}}}}}}}}; }, "spec.consumers.deployments[0]", "exactly one of name or selector"},
      {"deployment neither", [](json& r) { r["spec"]["consumers"] = {{"deployments", {json::object()}}}; }, "spec.consumers.deployments[0]", "exactly one of name or selector"},
      {"deployment bad name", [](json& r) { r["spec"]["consumers"] = {{"deployments", {{{"name", "API"}}}}}; }, "spec.consumers.deployments[0].name", "RFC 1123"},
      {"deployment cross-namespace", [](json& r) { r["spec"]["consumers"] = {{"deployments", {{{"name", "api"}, {"namespace", "x"}}}}}; }, "spec.consumers.deployments[0].namespace", "cross-namespace"},
      {"deployment duplicate", [](json& r) { r["spec"]["consumers"] = {{"deployments", {{{"name", "api"}}, {{"name", "api"}}}}}; }, "spec.consumers.deployments[1].name", "duplicate"},
      {"selector empty", [](json& r) { r["spec"]["consumers"] = {{"deployments", {{{"selector", json::object()}}}}}; }, "spec.consumers.deployments[0].selector", "must not be empty"},
      {"selector bad operator", [](json& r) { r["spec"]["consumers"] = {{"deployments", {{{"selector", {{"matchExpressions", {{{"key", "a"}, {"operator", "Equals"}, {"values", {"b"}}}}}}}}}}}; }, "spec.consumers.deployments[0].selector.matchExpressions[0].operator", "In, NotIn, Exists, DoesNotExist"},
      {"selector In without values", [](json& r) { r["spec"]["consumers"] = {{"deployments", {{{"selector", {{"matchExpressions", {{{"key", "a"}, {"operator", "In"}}}}}}}}}}; }, "spec.consumers.deployments[0].selector.matchExpressions[0].values", "non-empty"},
      {"selector Exists with values", [](json& r) { r["spec"]["consumers"] = {{"deployments", {{{"selector", {{"matchExpressions", {{{"key", "a"}, {"operator", "Exists"}, {"values", {"b"}}}}}}}}}}}; }, "spec.consumers.deployments[0].selector.matchExpressions[0].values", "must be empty"},
      {"selector value not string", [](json& r) { r["spec"]["consumers"] = {{"deployments", {{{"selector", {{"matchExpressions", {{{"key", "a"}, {"operator", "In"}, {"values", {1}}}}}}}}}}}; }, "spec.consumers.deployments[0].selector.matchExpressions[0].values[0]", "must be a string"},
      {"restart unknown", [](json& r) { r["spec"]["consumers"] = {{"restart", "Recreate"}}; }, "spec.consumers.restart", "RolloutRestart or None"},
      {"maxConcurrentRestarts zero", [](json& r) { r["spec"]["consumers"] = {{"maxConcurrentRestarts", 0}}; }, "spec.consumers.maxConcurrentRestarts", "between 1 and 100"},
      {"maxConcurrentRestarts float", [](json& r) { r["spec"]["consumers"] = {{"maxConcurrentRestarts", 1.5}}; }, "spec.consumers.maxConcurrentRestarts", "integer"},
      {"maxConcurrentRestarts huge", [](json& r) { r["spec"]["consumers"] = {{"maxConcurrentRestarts", 18446744073709551615ull}}; }, "spec.consumers.maxConcurrentRestarts", "too large"},
      {"discover string", [](json& r) { r["spec"]["consumers"] = {{"discover", "yes"}}; }, "spec.consumers.discover", "true or false"},
      {"deep nesting", [](json& r) { r["spec"]["rotation"] = {{"schedule", Deep(10000)}}; }, "spec.rotation.schedule", "must be a string"},
      {"unicode name", [](json& r) { r["spec"]["target"] = {{"secretName", "schlüssel"}}; }, "spec.target.secretName", "RFC 1123"},
      {"invalid utf-8 requestID", [](json& r) { r["spec"]["rotation"] = {{"requestID", std::string("a\xff")}}; }, "spec.rotation.requestID", "UTF-8"},
      {"rotate-request too long", [](json& r) { r["metadata"]["annotations"] = {{"keyroll.dev/rotate-request", std::string(1000, 'x')}}; }, "metadata.annotations[keyroll.dev/rotate-request]", "no more than 253"},
  };
  for (const auto& c : cases) {
    json r = Minimal();
    c.mutate(r);
    auto s = ParseSpec(r);
    ASSERT_FALSE(s.ok()) << c.name;
    bool found = false;
    for (const auto& e : s.error())
      found = found || (e.path == c.path && e.message.find(c.fragment) != std::string::npos);
    EXPECT_TRUE(found) << c.name << ": got " << JoinFieldErrors(s.error());
  }
  EXPECT_GE(cases.size(), 30u);
}

TEST(ParseSpec, ReportsEveryErrorAtOnce) {
  json r = Minimal();
  r["spec"]["refreshInterval"] = "x";
  r["spec"]["rotation"] = {{"schedule", "bad"}, {"minInterval", "-1h"}};
  auto s = ParseSpec(r);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().size(), 3u) << JoinFieldErrors(s.error());
}

TEST(ParseSpec, NullMeansAbsent) {
  json r = Minimal();
  r["spec"]["rotation"] = nullptr;
  r["spec"]["target"] = {{"secretName", nullptr}};
  auto s = ParseSpec(r);
  ASSERT_TRUE(s.ok()) << JoinFieldErrors(s.error());
  EXPECT_EQ(s.value().target.secret_name, "payments");
}

TEST(ParseSpec, ManyErrorsAreBoundedInTheMessage) {
  json r = Minimal();
  json deployments = json::array();
  for (int i = 0; i < 100; ++i) deployments.push_back({{"name", "BAD" + std::to_string(i)}});
  r["spec"]["consumers"] = {{"deployments", deployments}};
  auto s = ParseSpec(r);
  ASSERT_FALSE(s.ok());
  EXPECT_LE(JoinFieldErrors(s.error()).size(), 1100u);
}

TEST(ParseResource, ReadsMetaAndStatus) {
  json r = Full();
  r["metadata"]["annotations"] = {{"keyroll.dev/rotate-request", "r1"}};
  r["status"] = {{"rotationCount", 7}, {"phase", "Ready"}};
  ObservedResource o = ParseResource(r);
  EXPECT_EQ(o.meta.name, "payments");
  EXPECT_EQ(o.meta.namespace_, "payments");
  EXPECT_EQ(o.meta.uid, "u-1");
  EXPECT_EQ(o.meta.generation, 3);
  EXPECT_EQ(o.meta.resource_version, "42");
  EXPECT_EQ(o.meta.creation_timestamp, ParseTimestamp("2026-01-01T00:00:00Z"));
  EXPECT_EQ(o.meta.annotations.at("keyroll.dev/rotate-request"), "r1");
  EXPECT_FALSE(o.meta.deleting);
  EXPECT_TRUE(o.spec.ok());
  EXPECT_EQ(o.status.rotation_count, 7);
  EXPECT_EQ(o.status.phase, "Ready");
}

TEST(ParseResource, GarbageNeverThrows) {
  for (const char* text : {"null", "[]", "5", "\"x\"", R"({"metadata": 5})", R"({"metadata": {"generation": "x"}})",
                           R"({"status": [1,2]})", R"({"spec": {"provider": {"qstash": {"tokenSecretRef": []}}}})"}) {
    json j = json::parse(text);
    EXPECT_NO_THROW({
      auto o = ParseResource(j);
      EXPECT_FALSE(o.spec.ok()) << text;
    });
  }
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::rotation
