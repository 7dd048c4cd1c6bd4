// URL and query building for core/group, namespaced/cluster-scoped/all-namespaces.
#include "operator/kube/resource.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "operator/kube/backoff.h"

namespace keyroll::kube {
namespace {
namespace KEYROLL_UNITY_ID {

TEST(Resource, Paths) {
  EXPECT_EQ(resources::kSecrets.CollectionPath("ns1"), "/api/v1/namespaces/ns1/secrets");
  EXPECT_EQ(resources::kSecrets.CollectionPath(""), "/api/v1/secrets");
  EXPECT_EQ(resources::kSecrets.ObjectPath("ns1", "keys"), "/api/v1/namespaces/ns1/secrets/keys");
  EXPECT_EQ(resources::kDeployments.ObjectPath("ns1", "api", "status"),
            "/apis/apps/v1/namespaces/ns1/deployments/api/status");
  EXPECT_EQ(resources::kNamespaces.ObjectPath("ignored", "ns1"), "/api/v1/namespaces/ns1");
  EXPECT_EQ(resources::kNamespaces.CollectionPath("ignored"), "/api/v1/namespaces");
  EXPECT_EQ(resources::kSigningKeyRotations.CollectionPath("p"),
            "/apis/keyroll.dev/v1alpha1/namespaces/p/signingkeyrotations");
  EXPECT_EQ(resources::kLeases.ApiVersion(), "coordination.k8s.io/v1");
  EXPECT_EQ(resources::kSecrets.ApiVersion(), "v1");
  // Names cannot smuggle path segments or queries.
  EXPECT_EQ(resources::kSecrets.ObjectPath("a", "x/../y?z"), "/api/v1/namespaces/a/secrets/x%2F..%2Fy%3Fz");
}

TEST(Resource, ListQueryEncodesSelectors) {
  ListOptions o;
  o.label_selector = "n in (1,3),app=demo";
  o.field_selector = "metadata.name=cm2";
  o.limit = 500;
  o.continue_token = "eyJ2Ijoi+/=";
  EXPECT_EQ(ListQuery(o),
            "?labelSelector=n%20in%20%281%2C3%29%2Capp%3Ddemo&fieldSelector=metadata.name%3Dcm2"
            "&limit=500&continue=eyJ2Ijoi%2B%2F%3D");
  EXPECT_EQ(ListQuery({}), "");
  ListOptions rv;
  rv.resource_version = "323";
  rv.resource_version_match = "Exact";
  EXPECT_EQ(ListQuery(rv), "?resourceVersion=323&resourceVersionMatch=Exact");
}

TEST(Resource, WatchQuery) {
  WatchOptions w;
  w.resource_version = "2847";
  w.timeout_seconds = 8;
  w.label_selector = "a=b";
  EXPECT_EQ(WatchQuery(w), "?watch=1&labelSelector=a%3Db&resourceVersion=2847&allowWatchBookmarks=true&timeoutSeconds=8");
  w.allow_bookmarks = false;
  w.timeout_seconds = 0;
  EXPECT_EQ(WatchQuery(w), "?watch=1&labelSelector=a%3Db&resourceVersion=2847");
}

TEST(Resource, DeleteBody) {
  DeleteOptions d;
  d.precondition_uid = "u-1";
  d.precondition_resource_version = "42";
  d.propagation_policy = "Foreground";
  auto j = nlohmann::json::parse(DeleteBody(d));
  EXPECT_EQ(j["kind"], "DeleteOptions");
  EXPECT_EQ(j["preconditions"]["uid"], "u-1");
  EXPECT_EQ(j["preconditions"]["resourceVersion"], "42");
  EXPECT_EQ(j["propagationPolicy"], "Foreground");
  EXPECT_FALSE(nlohmann::json::parse(DeleteBody({})).contains("preconditions"));
}

TEST(Backoff, GrowsWithJitterAndCaps) {
  Backoff b({std::chrono::milliseconds(800), std::chrono::milliseconds(30000), 2.0, 1.0});
  long long base = 800;
  for (int i = 0; i < 10; ++i) {
    auto d = b.Next().count();
    EXPECT_GE(d, std::min(base, 30000LL)) << i;
    EXPECT_LE(d, std::min(2 * base, 30000LL)) << i;
    base = std::min(base * 2, 30000LL);
  }
  EXPECT_EQ(b.Next().count(), 30000);
  b.Reset();
  EXPECT_LE(b.Next().count(), 1600);
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::kube
