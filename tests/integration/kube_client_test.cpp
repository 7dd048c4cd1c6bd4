// The kube client against an API server (the fake over TLS, or a real cluster through
// KEYROLL_TEST_KUBECONFIG): every operation, paging, selectors, conflicts, watches, and
// errors surfacing with their type. Fault injection (429/500) runs only on the fake.
#include "operator/kube/client.h"
#include "operator/kube/transport.h"

#include <atomic>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "tests/support/cluster.h"
#include "tests/support/wait.h"

namespace keyroll::kube {
namespace {
namespace KEYROLL_UNITY_ID {

using keyroll::testing::TestCluster;
using nlohmann::json;

json ConfigMap(const std::string& name, const std::string& value, json labels = json::object()) {
  return {{"apiVersion", "v1"}, {"kind", "ConfigMap"},
          {"metadata", {{"name", name}, {"labels", labels}}}, {"data", {{"k", value}}}};
}

TEST(KubeClient, CreateGetUpdatePatchDelete) {
  TestCluster cluster;
  Client& c = cluster.client();
  const std::string ns = cluster.namespace_name();
  const auto& cm = resources::kConfigMaps;

  auto created = c.Create(cm, ns, ConfigMap("one", "1"));
  ASSERT_TRUE(created.ok()) << created.error().ToString();
  EXPECT_EQ(NamespaceOf(*created), ns);
  EXPECT_FALSE(UidOf(*created).empty());

  auto dup = c.Create(cm, ns, ConfigMap("one", "1"));
  ASSERT_FALSE(dup.ok());
  EXPECT_TRUE(IsAlreadyExists(dup.error())) << dup.error().ToString();
  EXPECT_EQ(dup.error().name, "one");

  auto got = c.Get(cm, ns, "one");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ((*got)["data"]["k"], "1");

  json edit = *got;
  edit["data"]["k"] = "2";
  auto updated = c.Update(cm, ns, edit);
  ASSERT_TRUE(updated.ok()) << updated.error().ToString();
  EXPECT_NE(ResourceVersionOf(*updated), ResourceVersionOf(*got));

  // `edit` still carries the old resourceVersion: a stale update is a 409 Conflict.
  edit["data"]["k"] = "stale";
  auto stale = c.Update(cm, ns, edit);
  ASSERT_FALSE(stale.ok());
  EXPECT_TRUE(IsConflict(stale.error())) << stale.error().ToString();
  EXPECT_EQ(stale.error().code, 409);

  auto merged = c.MergePatch(cm, ns, "one", {{"metadata", {{"annotations", {{"a", "b"}}}}}, {"data", {{"m", "x"}}}});
  ASSERT_TRUE(merged.ok()) << merged.error().ToString();
  EXPECT_EQ((*merged)["data"]["k"], "2");
  EXPECT_EQ((*merged)["data"]["m"], "x");
  EXPECT_EQ((*merged)["metadata"]["annotations"]["a"], "b");

  auto patched = c.JsonPatch(cm, ns, "one", json::array({{{"op", "replace"}, {"path", "/data/k"}, {"value", "3"}}}));
  ASSERT_TRUE(patched.ok()) << patched.error().ToString();
  EXPECT_EQ((*patched)["data"]["k"], "3");
  auto failed_test = c.JsonPatch(cm, ns, "one", json::array({{{"op", "test"}, {"path", "/data/k"}, {"value", "nope"}}}));
  ASSERT_FALSE(failed_test.ok());
  EXPECT_TRUE(IsInvalid(failed_test.error())) << failed_test.error().ToString();

  DeleteOptions wrong_uid;
  wrong_uid.precondition_uid = "00000000-0000-0000-0000-000000000000";
  auto refused = c.Delete(cm, ns, "one", wrong_uid);
  ASSERT_FALSE(refused.ok());
  EXPECT_TRUE(IsConflict(refused.error())) << refused.error().ToString();

  DeleteOptions right;
  right.precondition_uid = UidOf(*created);
  right.propagation_policy = "Background";
  ASSERT_TRUE(c.Delete(cm, ns, "one", right).ok());
  auto gone = c.Get(cm, ns, "one");
  ASSERT_FALSE(gone.ok());
  EXPECT_TRUE(IsNotFound(gone.error()));
  EXPECT_EQ(gone.error().name, "one");
  auto again = c.Delete(cm, ns, "one");
  ASSERT_FALSE(again.ok());
  EXPECT_TRUE(IsNotFound(again.error()));

  auto invalid = c.Create(cm, ns, ConfigMap("Bad_Name", "x"));
  ASSERT_FALSE(invalid.ok());
  EXPECT_TRUE(IsInvalid(invalid.error()));
  ASSERT_FALSE(invalid.error().causes.empty());
  EXPECT_EQ(invalid.error().causes[0].field, "metadata.name");
}

TEST(KubeClient, StatusSubresourceOfADeployment) {
  TestCluster cluster;
  Client& c = cluster.client();
  const std::string ns = cluster.namespace_name();
  json dep = {{"apiVersion", "apps/v1"}, {"kind", "Deployment"}, {"metadata", {{"name", "api"}}},
              {"spec", {{"replicas", 1}, {"selector", {{"matchLabels", {{"app", "api"}}}}},
                        {"template", {{"metadata", {{"labels", {{"app", "api"}}}}},
                                      {"spec", {{"containers", json::array({{{"name", "c"}, {"image", "busybox"}}})}}}}}}}};
  auto created = c.Create(resources::kDeployments, ns, dep);
  ASSERT_TRUE(created.ok()) << created.error().ToString();
  long generation = (*created)["metadata"]["generation"].get<long>();

  // Writes to /status leave spec and generation alone.
  auto st = c.MergePatchStatus(resources::kDeployments, ns, "api",
                               {{"spec", {{"replicas", 5}}}, {"status", {{"observedGeneration", generation}, {"replicas", 1}}}});
  ASSERT_TRUE(st.ok()) << st.error().ToString();
  EXPECT_EQ((*st)["status"]["observedGeneration"], generation);
  EXPECT_EQ((*st)["spec"]["replicas"], 1);
  EXPECT_EQ((*st)["metadata"]["generation"], generation);

  // A pod template change bumps generation (what a rollout restart does).
  auto bumped = c.MergePatch(resources::kDeployments, ns, "api",
                             json::parse(R"({"spec":{"template":{"metadata":{"annotations":{"keyroll.dev/keys-hash":"abc"}}}}})"));
  ASSERT_TRUE(bumped.ok()) << bumped.error().ToString();
  EXPECT_GT((*bumped)["metadata"]["generation"].get<long>(), generation);

  json full = *bumped;
  full["status"]["observedGeneration"] = (*bumped)["metadata"]["generation"];
  auto put = c.UpdateStatus(resources::kDeployments, ns, full);
  ASSERT_TRUE(put.ok()) << put.error().ToString();
  EXPECT_EQ((*put)["status"]["observedGeneration"], (*bumped)["metadata"]["generation"]);
}

TEST(KubeClient, PagingThroughTwoThousandObjects) {
  TestCluster cluster;
  Client& c = cluster.client();
  const std::string ns = cluster.namespace_name();
  constexpr int kObjects = 2000, kThreads = 8;
  std::atomic<int> failures{0};
  std::vector<std::thread> writers;
  for (int t = 0; t < kThreads; ++t) {  // concurrent requests share the connection pool
    writers.emplace_back([&, t] {
      for (int i = t; i < kObjects; i += kThreads) {
        json labels = {{"parity", i % 2 ? "odd" : "even"}};
        if (!c.Create(resources::kConfigMaps, ns, ConfigMap("cm-" + std::to_string(i), std::to_string(i), labels)).ok()) {
          ++failures;
        }
      }
    });
  }
  for (auto& w : writers) w.join();
  ASSERT_EQ(failures.load(), 0);

  // Only this test's objects: a namespace is never empty (kube-root-ca.crt is in every one).
  ListOptions page;
  page.limit = 500;
  page.label_selector = "parity";
  auto first = c.List(resources::kConfigMaps, ns, page);
  ASSERT_TRUE(first.ok()) << first.error().ToString();
  EXPECT_EQ(first->items.size(), 500u);
  EXPECT_FALSE(first->continue_token.empty());
  EXPECT_FALSE(first->resource_version.empty());
  if (first->remaining_item_count) {
    EXPECT_EQ(*first->remaining_item_count, kObjects - 500);
  }

  auto all = c.ListAll(resources::kConfigMaps, ns, page);
  ASSERT_TRUE(all.ok()) << all.error().ToString();
  std::set<std::string> names;
  for (const auto& o : all->items) names.insert(NameOf(o));
  EXPECT_EQ(all->items.size(), static_cast<size_t>(kObjects));
  EXPECT_EQ(names.size(), static_cast<size_t>(kObjects));  // no duplicates across pages

  ListOptions odd;
  odd.label_selector = "parity=odd";
  auto odds = c.ListAll(resources::kConfigMaps, ns, odd);
  ASSERT_TRUE(odds.ok());
  EXPECT_EQ(odds->items.size(), static_cast<size_t>(kObjects / 2));
  ListOptions by_name;
  by_name.field_selector = "metadata.name=cm-7";
  auto one = c.List(resources::kConfigMaps, ns, by_name);
  ASSERT_TRUE(one.ok());
  ASSERT_EQ(one->items.size(), 1u);
  EXPECT_EQ(one->items[0]["data"]["k"], "7");
  ListOptions bad;
  bad.field_selector = "spec.foo=x";
  auto refused = c.List(resources::kConfigMaps, ns, bad);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().reason, Reason::kBadRequest);
}

TEST(KubeClient, WatchDeliversChangesAndEndsAtTimeout) {
  TestCluster cluster;
  Client& c = cluster.client();
  const std::string ns = cluster.namespace_name();
  auto list = c.List(resources::kConfigMaps, ns);
  ASSERT_TRUE(list.ok());
  std::vector<std::string> seen;
  StreamCanceller canceller;
  WatchOptions wo;
  wo.resource_version = list->resource_version;
  wo.timeout_seconds = 3;
  std::thread writer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    (void)c.Create(resources::kConfigMaps, ns, ConfigMap("w1", "1"));
    (void)c.MergePatch(resources::kConfigMaps, ns, "w1", {{"data", {{"k", "2"}}}});
    (void)c.Delete(resources::kConfigMaps, ns, "w1");
  });
  auto result = c.Watch(resources::kConfigMaps, ns, wo, canceller, [&](const WatchEvent& ev) {
    if (ev.type != WatchEventType::kBookmark) {
      seen.push_back(std::string(WatchEventTypeName(ev.type)) + " " + NameOf(ev.object));
    }
    return true;
  });
  writer.join();
  ASSERT_TRUE(result.ok()) << result.error().ToString();  // the server ended it (timeoutSeconds)
  EXPECT_EQ(seen, (std::vector<std::string>{"ADDED w1", "MODIFIED w1", "DELETED w1"}));
}

TEST(KubeClient, WatchFromAnExpiredVersionIsGone) {
  TestCluster cluster;
  Client& c = cluster.client();
  ASSERT_TRUE(c.Create(resources::kConfigMaps, cluster.namespace_name(), ConfigMap("x", "1")).ok());
  if (cluster.is_fake()) cluster.ExpireWatches();  // a real server has long compacted version 1
  StreamCanceller canceller;
  WatchOptions wo;
  wo.resource_version = "1";
  wo.timeout_seconds = 5;
  int events = 0;
  auto result = c.Watch(resources::kConfigMaps, cluster.namespace_name(), wo, canceller,
                        [&](const WatchEvent&) { ++events; return true; });
  ASSERT_FALSE(result.ok());
  EXPECT_TRUE(IsGone(result.error())) << result.error().ToString();
}

TEST(KubeClient, CancelEndsAWatchPromptly) {
  TestCluster cluster;
  Client& c = cluster.client();
  StreamCanceller canceller;
  WatchOptions wo;
  wo.timeout_seconds = 600;
  std::atomic<bool> done{false};
  std::thread watcher([&] {
    (void)c.Watch(resources::kConfigMaps, cluster.namespace_name(), wo, canceller,
                  [](const WatchEvent&) { return true; });
    done = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  canceller.Cancel();
  EXPECT_TRUE(keyroll::testing::WaitUntil([&] { return done.load(); }, std::chrono::seconds(10)));
  watcher.join();
}

TEST(KubeClient, ThrottlingAndServerErrorsSurfaceTyped) {
  TestCluster cluster;
  Client& c = cluster.client();
  const std::string ns = cluster.namespace_name();
  ASSERT_TRUE(c.Create(resources::kConfigMaps, ns, ConfigMap("t", "1")).ok());
  // A real cluster cannot be told to answer 429/500 on demand: only the fake injects them.
  KEYROLL_SKIP_UNLESS_FAKE(cluster, "429, 500 and 409 answers (fault injection)");
  {
    cluster.FailNext(1, 429, 7, "GET");
    auto throttled = c.Get(resources::kConfigMaps, ns, "t");
    ASSERT_FALSE(throttled.ok());
    EXPECT_TRUE(IsTooManyRequests(throttled.error())) << throttled.error().ToString();
    ASSERT_TRUE(throttled.error().retry_after.has_value());
    EXPECT_EQ(throttled.error().retry_after->count(), 7);
    EXPECT_TRUE(IsRetryable(throttled.error()));

    cluster.FailNext(1, 500, 0, "GET");
    auto broken = c.Get(resources::kConfigMaps, ns, "t");
    ASSERT_FALSE(broken.ok());
    EXPECT_EQ(broken.error().reason, Reason::kInternalError);
    EXPECT_TRUE(IsRetryable(broken.error()));

    cluster.ConflictNextWrites(1);
    auto conflict = c.MergePatch(resources::kConfigMaps, ns, "t", {{"data", {{"k", "2"}}}});
    ASSERT_FALSE(conflict.ok());
    EXPECT_TRUE(IsConflict(conflict.error()));
  }
  auto ok = c.Get(resources::kConfigMaps, ns, "t");
  ASSERT_TRUE(ok.ok()) << ok.error().ToString();
  EXPECT_EQ((*ok)["data"]["k"], "1");
}

// client-go's checkWait: a 429 with a short Retry-After is obeyed and sent again, so a
// throttling API server delays keyroll instead of failing its reconciles and watches.
TEST(KubeClient, ShortRetryAfterIsWaitedOutAndRetriedAFewTimes) {
  TestCluster cluster;
  Client& c = cluster.client();
  const std::string ns = cluster.namespace_name();
  ASSERT_TRUE(c.Create(resources::kConfigMaps, ns, ConfigMap("t", "1")).ok());
  // A real cluster cannot be told to answer 429 on demand: only the fake injects them.
  KEYROLL_SKIP_UNLESS_FAKE(cluster, "429 answers with Retry-After and their retries (fault injection, request counts)");
  {
    auto gets = [&] { return cluster.Stats()["by_request"].value("get configmaps", 0); };
    const int before = gets();
    cluster.FailNext(2, 429, 1, "GET");
    auto obeyed = c.Get(resources::kConfigMaps, ns, "t");
    ASSERT_TRUE(obeyed.ok()) << obeyed.error().ToString();
    EXPECT_EQ(gets() - before, 3);  // two throttled answers, then the object

    const int again = gets();
    cluster.FailNext(kMaxRetryAfterRetries + 1, 429, 1, "GET");
    auto exhausted = c.Get(resources::kConfigMaps, ns, "t");
    ASSERT_FALSE(exhausted.ok());
    EXPECT_TRUE(IsTooManyRequests(exhausted.error())) << exhausted.error().ToString();
    EXPECT_EQ(gets() - again, kMaxRetryAfterRetries + 1);

    // A write is sent again after a 429 too: the server did not process it.
    cluster.FailNext(1, 429, 1, "PATCH");
  }
  auto patched = c.MergePatch(resources::kConfigMaps, ns, "t", {{"data", {{"k", "2"}}}});
  ASSERT_TRUE(patched.ok()) << patched.error().ToString();
  EXPECT_EQ((*patched)["data"]["k"], "2");
}

TEST(KubeClient, ManyThreadsShareOneClient) {
  TestCluster cluster;
  Client& c = cluster.client();
  const std::string ns = cluster.namespace_name();
  ASSERT_TRUE(c.Create(resources::kConfigMaps, ns, ConfigMap("shared", "1")).ok());
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 40; ++i) {
        if (c.Get(resources::kConfigMaps, ns, "shared").ok()) ++ok;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 320);
}

// Idle keep-alive connections closed by the server (a load balancer's idle timeout; the
// fake closes them after 1 s here) all go stale together: the first request after the idle
// time must not fail on the second stale connection after the first (found at 10,000
// resources: every refresh after 5 idle minutes began with "NetworkError" on token reads).
TEST(KubeClient, RequestsAfterTheServerClosedEveryIdleConnectionSucceed) {
  keyroll::testing::TestClusterOptions o;
  o.fake_args = {"--keep-alive-timeout-seconds", "1"};
  TestCluster cluster(o);
  Client& c = cluster.client();
  const std::string ns = cluster.namespace_name();
  ASSERT_TRUE(c.Create(resources::kConfigMaps, ns, ConfigMap("idle", "1")).ok());
  std::vector<std::thread> threads;  // several connections at once: several in the pool
  for (int t = 0; t < 6; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 20; ++i) EXPECT_TRUE(c.Get(resources::kConfigMaps, ns, "idle").ok());
    });
  for (auto& t : threads) t.join();
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));  // the server closes them all
  for (int i = 0; i < 3; ++i) {
    auto got = c.Get(resources::kConfigMaps, ns, "idle");
    EXPECT_TRUE(got.ok()) << "request " << i << ": " << got.error().ToString();
  }
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::kube
