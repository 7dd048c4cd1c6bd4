// The resource index finds a Deployment's consumers and an account's oldest resource
// without scanning every resource, and follows adds, spec changes and deletions.
#include "operator/controller/resource_index.h"
#include "operator/controller/secret_readers.h"

#include <gtest/gtest.h>

#include <thread>

#include "operator/rotation/parse_spec.h"

namespace keyroll::controller {
namespace {
namespace KEYROLL_UNITY_ID {

using nlohmann::json;

json Resource(const std::string& ns, const std::string& name, const std::string& created, json consumers = json()) {
  json r = {{"apiVersion", "keyroll.dev/v1alpha1"},
            {"kind", "SigningKeyRotation"},
            {"metadata", {{"name", name}, {"namespace", ns}, {"uid", ns + "-" + name}, {"resourceVersion", "1"},
                          {"creationTimestamp", created}}},
            {"spec", {{"provider", {{"qstash", {{"tokenSecretRef", {{"name", "qstash"}, {"key", "T"}}}}}}},
                      {"target", {{"secretName", name + "-keys"}}}}}};
  if (!consumers.is_null()) r["spec"]["consumers"] = consumers;
  return r;
}

json Deployment(const std::string& ns, const std::string& name, json labels = json::object(),
                const std::string& reads_secret = "") {
  json d = {{"metadata", {{"name", name}, {"namespace", ns}, {"labels", labels}}},
            {"spec", {{"template", {{"spec", {{"containers", json::array({{{"name", "c"}}})}}}}}}}};
  if (!reads_secret.empty())
    d["spec"]["template"]["spec"]["volumes"] = {{{"name", "k"}, {"secret", {{"secretName", reads_secret}}}}};
  return d;
}

using Keys = std::vector<std::string>;

TEST(ResourceIndex, ADeploymentNoResourceConsumesHasNoConsumers) {
  ResourceIndex index;
  index.Upsert(Resource("shop", "a", "2026-01-01T00:00:00Z", {{"discover", true}}));
  index.Upsert(Resource("shop", "b", "2026-01-01T00:00:00Z", {{"deployments", {{{"name", "api"}}}}}));
  EXPECT_EQ(index.ConsumersOf(rotation::WorkloadKind::Deployment, Deployment("shop", "unrelated", {{"app", "x"}}, "other-secret")), Keys{});
  EXPECT_EQ(index.ConsumersOf(rotation::WorkloadKind::Deployment, Deployment("elsewhere", "api", {}, "a-keys")), Keys{}) << "another namespace";
}

TEST(ResourceIndex, FindsDeclaredSelectedAndDiscoveredConsumers) {
  ResourceIndex index;
  index.Upsert(Resource("shop", "by-name", "2026-01-01T00:00:00Z",
                        {{"deployments", {{{"name", "api"}}}}, {"discover", false}}));
  index.Upsert(Resource("shop", "by-label", "2026-01-01T00:00:00Z",
                        {{"deployments", {{{"selector", {{"matchLabels", {{"tier", "web"}}}}}}}}, {"discover", false}}));
  index.Upsert(Resource("shop", "reader", "2026-01-01T00:00:00Z"));  // discover defaults to true
  EXPECT_EQ(index.ConsumersOf(rotation::WorkloadKind::Deployment, Deployment("shop", "api")), Keys{"shop/by-name"});
  EXPECT_EQ(index.ConsumersOf(rotation::WorkloadKind::Deployment, Deployment("shop", "front", {{"tier", "web"}})), Keys{"shop/by-label"});
  EXPECT_EQ(index.ConsumersOf(rotation::WorkloadKind::Deployment, Deployment("shop", "worker", {}, "reader-keys")), Keys{"shop/reader"});
  EXPECT_EQ(index.ConsumersOf(rotation::WorkloadKind::Deployment, Deployment("shop", "api", {{"tier", "web"}}, "reader-keys")),
            (Keys{"shop/by-label", "shop/by-name", "shop/reader"}));
  EXPECT_EQ(index.ConsumersOf(rotation::WorkloadKind::Deployment, Deployment("shop", "worker", {}, "by-name-keys")), Keys{}) << "discover: false";
}

TEST(ResourceIndex, FollowsSpecChangesAndDeletions) {
  ResourceIndex index;
  index.Upsert(Resource("shop", "a", "2026-01-01T00:00:00Z", {{"deployments", {{{"name", "api"}}}}}));
  index.Upsert(Resource("shop", "a", "2026-01-01T00:00:00Z", {{"deployments", {{{"name", "web"}}}}}));
  EXPECT_EQ(index.ConsumersOf(rotation::WorkloadKind::Deployment, Deployment("shop", "api")), Keys{});
  EXPECT_EQ(index.ConsumersOf(rotation::WorkloadKind::Deployment, Deployment("shop", "web")), Keys{"shop/a"});
  json deleting = Resource("shop", "a", "2026-01-01T00:00:00Z", {{"deployments", {{{"name", "web"}}}}});
  deleting["metadata"]["deletionTimestamp"] = "2026-01-02T00:00:00Z";
  index.Upsert(deleting);
  EXPECT_EQ(index.ConsumersOf(rotation::WorkloadKind::Deployment, Deployment("shop", "web")), Keys{}) << "a resource being deleted consumes nothing";
  index.Upsert(Resource("shop", "b", "2026-01-01T00:00:00Z", {{"deployments", {{{"name", "web"}}}}}));
  index.Remove(Resource("shop", "b", "2026-01-01T00:00:00Z"));
  EXPECT_EQ(index.ConsumersOf(rotation::WorkloadKind::Deployment, Deployment("shop", "web")), Keys{});
  EXPECT_EQ(index.size(), 0u);
}

ResourceIndex::Age AgeOf(const std::string& ns, const std::string& name, int64_t t) { return {t, ns, name}; }

TEST(ResourceIndex, TheOldestResourceOfAnAccountWinsAfterAddsAndDeletes) {
  ResourceIndex index;
  json a = Resource("x", "a", "2026-01-01T00:00:00Z"), b = Resource("y", "b", "2026-01-02T00:00:00Z"),
       c = Resource("x", "c", "2026-01-03T00:00:00Z");
  for (const auto* r : {&c, &a, &b}) index.Upsert(*r);
  const auto c_age = ResourceIndex::AgeOf(rotation::ParseResourceMeta(c));
  const auto b_age = ResourceIndex::AgeOf(rotation::ParseResourceMeta(b));
  EXPECT_EQ(index.ClaimUnconnectedOlderThan(c_age, 1), Keys{"x/a"});  // claims come oldest first
  EXPECT_EQ(index.ClaimUnconnectedOlderThan(c_age, 10), Keys{"y/b"});
  EXPECT_EQ(index.ClaimUnconnectedOlderThan(c_age, 10), Keys{}) << "claimed ones are not handed out twice";
  EXPECT_FALSE(index.WaitForClaimsOlderThan(c_age, std::chrono::milliseconds(10))) << "claims still open";
  index.SetAccount("x/a", "acct-1");
  index.SetAccount("y/b", "acct-1");
  EXPECT_TRUE(index.WaitForClaimsOlderThan(c_age, std::chrono::milliseconds(10)));
  index.SetAccount("x/c", "acct-1");
  EXPECT_EQ(index.ClaimUnconnectedOlderThan(c_age, 10), Keys{});
  EXPECT_EQ(index.OldestOnAccount("acct-1", c_age), "x/a");
  EXPECT_EQ(index.OldestOnAccount("acct-1", ResourceIndex::AgeOf(rotation::ParseResourceMeta(a))), std::nullopt);
  EXPECT_EQ(index.OldestOnAccount("acct-2", c_age), std::nullopt);
  // The owner goes: the next oldest owns the account; the members left behind are named.
  EXPECT_EQ(index.Remove(a), (Keys{"y/b", "x/c"}));
  EXPECT_EQ(index.OldestOnAccount("acct-1", c_age), "y/b");
  EXPECT_EQ(index.OldestOnAccount("acct-1", b_age), std::nullopt);
  index.SetAccount("y/b", "acct-2");  // b moved to another account (its token changed)
  EXPECT_EQ(index.OldestOnAccount("acct-1", c_age), std::nullopt);
  EXPECT_EQ(index.OldestOnAccount("acct-2", c_age), "y/b");
  index.SetAccount("y/b", "");  // b cannot connect: it owns nothing
  EXPECT_EQ(index.OldestOnAccount("acct-2", c_age), std::nullopt);
  index.Upsert(a);  // an older resource comes back: not connected yet, the check must connect it
  EXPECT_EQ(index.ClaimUnconnectedOlderThan(AgeOf("x", "a", 0), 10), Keys{}) << "nothing older than the oldest";
  EXPECT_EQ(index.ClaimUnconnectedOlderThan(c_age, 10), Keys{"x/a"});
  index.Remove(a);  // a claimed resource that goes away ends its claim
  EXPECT_TRUE(index.WaitForClaimsOlderThan(c_age, std::chrono::milliseconds(10)));
}

TEST(ResourceIndex, WaitingForClaimsEndsWhenAnotherWorkerRecordsTheAccount) {
  ResourceIndex index;
  json a = Resource("x", "a", "2026-01-01T00:00:00Z");
  index.Upsert(a);
  const auto later = AgeOf("x", "z", INT64_MAX);
  ASSERT_EQ(index.ClaimUnconnectedOlderThan(later, 10), Keys{"x/a"});
  std::thread other([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    index.SetAccount("x/a", "acct-1");
  });
  EXPECT_TRUE(index.WaitForClaimsOlderThan(later, std::chrono::seconds(10)));
  EXPECT_EQ(index.OldestOnAccount("acct-1", later), "x/a");
  other.join();
}

TEST(ResourceIndex, ASpecChangeForgetsTheAccount) {
  ResourceIndex index;
  json a = Resource("x", "a", "2026-01-01T00:00:00Z");
  index.Upsert(a);
  index.SetAccount("x/a", "acct-1");
  const auto later = AgeOf("x", "z", INT64_MAX);
  EXPECT_EQ(index.OldestOnAccount("acct-1", later), "x/a");
  index.Upsert(a);  // the same spec again (e.g. a status write): the account stays
  EXPECT_EQ(index.OldestOnAccount("acct-1", later), "x/a");
  a["spec"]["provider"]["qstash"]["tokenSecretRef"]["name"] = "other-token";
  index.Upsert(a);
  EXPECT_EQ(index.OldestOnAccount("acct-1", later), std::nullopt);
  EXPECT_EQ(index.ClaimUnconnectedOlderThan(later, 10), Keys{"x/a"});
  index.SetAccount("never-indexed/r", "acct-1");  // ignored
  EXPECT_EQ(index.OldestOnAccount("acct-1", later), std::nullopt);
}

Keys ReaderNames(const std::vector<WorkloadName>& readers) {
  Keys out;
  for (const auto& r : readers) out.push_back(r.name);
  return out;
}

TEST(SecretReaders, FollowsWhatEachDeploymentReads) {
  SecretReaders readers;
  readers.Add(rotation::WorkloadKind::Deployment, Deployment("shop", "api", {}, "keys"));
  readers.Add(rotation::WorkloadKind::Deployment, Deployment("shop", "web", {}, "keys"));
  readers.Add(rotation::WorkloadKind::Deployment, Deployment("other", "api", {}, "keys"));
  readers.Add(rotation::WorkloadKind::Deployment, Deployment("shop", "keys", {}, "keys-2"));  // a name that is a prefix of another
  EXPECT_EQ(ReaderNames(readers.ReadersOf("shop", "keys")), (Keys{"api", "web"}));
  EXPECT_EQ(ReaderNames(readers.ReadersOf("shop", "keys-2")), Keys{"keys"});
  EXPECT_EQ(ReaderNames(readers.ReadersOf("sho", "p")), Keys{});
  readers.Update(rotation::WorkloadKind::Deployment, Deployment("shop", "web", {}, "keys"), Deployment("shop", "web", {}, "other-keys"));  // web now reads another Secret
  EXPECT_EQ(ReaderNames(readers.ReadersOf("shop", "keys")), Keys{"api"});
  EXPECT_EQ(ReaderNames(readers.ReadersOf("shop", "other-keys")), Keys{"web"});
  readers.Update(rotation::WorkloadKind::Deployment, Deployment("shop", "web", {}, "other-keys"), Deployment("shop", "web", {}, "other-keys"));
  EXPECT_EQ(ReaderNames(readers.ReadersOf("shop", "other-keys")), Keys{"web"});
  readers.Remove(rotation::WorkloadKind::Deployment, Deployment("shop", "api", {}, "keys"));
  EXPECT_EQ(ReaderNames(readers.ReadersOf("shop", "keys")), Keys{});
  EXPECT_EQ(ReaderNames(readers.ReadersOf("other", "keys")), Keys{"api"});
  readers.Remove(rotation::WorkloadKind::Deployment, Deployment("shop", "web", {}, "other-keys"));
  EXPECT_EQ(ReaderNames(readers.ReadersOf("shop", "other-keys")), Keys{});
}

// A StatefulSet and a Deployment of the same name are two readers; each kind's events touch
// only its own entries.
TEST(SecretReaders, KeepsEachKindApart) {
  using rotation::WorkloadKind;
  SecretReaders readers;
  readers.Add(WorkloadKind::Deployment, Deployment("shop", "api", {}, "keys"));
  readers.Add(WorkloadKind::StatefulSet, Deployment("shop", "api", {}, "keys"));
  readers.Add(WorkloadKind::DaemonSet, Deployment("shop", "edge", {}, "keys"));
  EXPECT_EQ(readers.ReadersOf("shop", "keys"),
            (std::vector<WorkloadName>{{WorkloadKind::Deployment, "api"},
                                       {WorkloadKind::StatefulSet, "api"},
                                       {WorkloadKind::DaemonSet, "edge"}}));
  readers.Remove(WorkloadKind::StatefulSet, Deployment("shop", "api", {}, "keys"));
  EXPECT_EQ(readers.ReadersOf("shop", "keys"),
            (std::vector<WorkloadName>{{WorkloadKind::Deployment, "api"}, {WorkloadKind::DaemonSet, "edge"}}));
}

// A workload event queues the resources that declare that kind only.
TEST(ResourceIndex, DeclaredConsumersMatchTheirKind) {
  ResourceIndex index;
  index.Upsert(Resource("shop", "a", "2026-01-01T00:00:00Z",
                        {{"discover", false}, {"statefulSets", {{{"name", "worker"}}}}}));
  EXPECT_EQ(index.ConsumersOf(rotation::WorkloadKind::StatefulSet, Deployment("shop", "worker")), Keys{"shop/a"});
  EXPECT_EQ(index.ConsumersOf(rotation::WorkloadKind::Deployment, Deployment("shop", "worker")), Keys{});
  EXPECT_EQ(index.ConsumersOf(rotation::WorkloadKind::DaemonSet, Deployment("shop", "worker")), Keys{});
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::controller
