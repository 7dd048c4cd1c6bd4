// FreshReader (operator/controller/fresh_reader.h) against the fake API server: after keyroll's
// own write, a cache that still shows what it held before the write is bridged by the write's
// answer (no GET); a cache whose generation passed ours is caught up, even when the watch
// delivered our write and a later one before the answer was recorded (no GET, and not the
// older answer: that left a resource waiting for a rollout that had completed); only a
// version it cannot place costs a GET. The store is fed by hand, standing in for the watch.
// (keyroll keeps answers for its workload readers, the restart patches.)
#include "operator/controller/fresh_reader.h"

#include <gtest/gtest.h>

#include "tests/support/cluster.h"

namespace keyroll::testing {
namespace {
namespace KEYROLL_UNITY_ID {

using nlohmann::json;
namespace res = kube::resources;

json Deployment(const std::string& name) {
  return {{"apiVersion", "apps/v1"},
          {"kind", "Deployment"},
          {"metadata", {{"name", name}}},
          {"spec", {{"replicas", 1},
                    {"selector", {{"matchLabels", {{"app", name}}}}},
                    {"template", {{"metadata", {{"labels", {{"app", name}}}}},
                                  {"spec", {{"containers", {{{"name", "app"}, {"image", "example/app:1"}}}}}}}}}}};
}

const json kRestart = {{"spec", {{"template", {{"metadata", {{"annotations", {{"keyroll.dev/keys-hash", "h1"}}}}}}}}}};

std::string Hash(const std::optional<json>& d) {
  return d ? d->value("/spec/template/metadata/annotations/keyroll.dev~1keys-hash"_json_pointer, std::string()) : "";
}

class FreshReaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!cluster.is_fake()) GTEST_SKIP() << "counts GETs with the fake API server's /_fake/stats";
  }
  json Create(const std::string& name) {
    auto d = cluster.client().Create(res::kDeployments, cluster.namespace_name(), Deployment(name));
    EXPECT_TRUE(static_cast<bool>(d)) << d.error().ToString();
    return d ? *d : json();
  }
  json Restart(const std::string& name) {
    auto d = cluster.client().MergePatch(res::kDeployments, cluster.namespace_name(), name, kRestart);
    EXPECT_TRUE(static_cast<bool>(d)) << d.error().ToString();
    return d ? *d : json();
  }
  json CompleteRollout(const std::string& name, int64_t generation) {
    auto d = cluster.client().MergePatchStatus(res::kDeployments, cluster.namespace_name(), name,
                                               {{"status", {{"observedGeneration", generation}}}});
    EXPECT_TRUE(static_cast<bool>(d)) << d.error().ToString();
    return d ? *d : json();
  }
  void Deliver(const json& object) { (void)store.Apply({kube::WatchEventType::kModified, object}); }
  int64_t Gets() { return cluster.Stats()["by_request"].value("get deployments.apps", int64_t{0}); }

  TestCluster cluster;
  kube::Store store;
  controller::FreshReader reader{cluster.client(), res::kDeployments, store, nullptr, /*keep_answers=*/true};
};

TEST_F(FreshReaderTest, ALaggingCacheIsBridgedByTheWritesAnswerWithoutAGet) {
  const std::string ns = cluster.namespace_name();
  store.Replace({Create("api")});
  const auto prior = reader.Before(ns, "api");
  reader.Wrote(ns, "api", Restart("api"), prior);
  const int64_t gets = Gets();
  EXPECT_EQ(Hash(reader.Get(ns, "api")), "h1") << "the answer of our patch, not the cache's older version";
  EXPECT_EQ(Gets(), gets);
}

// What the reconciler waits on instead of a live GET of its resource (E2EFirstSyncRequests saw
// one under load): our write's event is on its way while the cache shows the version from
// before it, and only then, and only for a while.
TEST_F(FreshReaderTest, CatchingUpOnlyWhileTheCacheShowsThePriorVersionOfARecentWrite) {
  const std::string ns = cluster.namespace_name();
  const json created = Create("api");
  EXPECT_FALSE(reader.CatchingUp(ns, "api", std::chrono::seconds(5))) << "nothing written yet";
  store.Replace({created});
  const auto prior = reader.Before(ns, "api");
  const json ours = Restart("api");
  reader.Wrote(ns, "api", ours, prior);
  EXPECT_TRUE(reader.CatchingUp(ns, "api", std::chrono::seconds(5)));
  EXPECT_FALSE(reader.CatchingUp(ns, "api", std::chrono::milliseconds(0))) << "waited long enough: read live";
  Deliver(ours);
  EXPECT_FALSE(reader.CatchingUp(ns, "api", std::chrono::seconds(5))) << "the cache shows our write";
  reader.Wrote(ns, "api", Restart("api"), reader.Before(ns, "api"));
  reader.Stale(ns, "api");
  EXPECT_FALSE(reader.CatchingUp(ns, "api", std::chrono::seconds(5))) << "after a conflict the server's version is unknown";
  Deliver(CompleteRollout("api", 2));
  reader.Wrote(ns, "api", Restart("api"), prior);  // the cache moved past what it held before
  EXPECT_FALSE(reader.CatchingUp(ns, "api", std::chrono::seconds(5))) << "a version it cannot place: read live";
}

TEST_F(FreshReaderTest, ACacheThatPassedOurWriteIsCaughtUpEvenBeforeTheWriteWasRecorded) {
  const std::string ns = cluster.namespace_name();
  store.Replace({Create("api")});
  const auto prior = reader.Before(ns, "api");
  const json ours = Restart("api");
  // The watch delivers our patch and the controller's status before the answer is recorded.
  Deliver(ours);
  Deliver(CompleteRollout("api", ours["metadata"].value("generation", int64_t{0})));
  reader.Wrote(ns, "api", ours, prior);
  const int64_t gets = Gets();
  auto seen = reader.Get(ns, "api");
  ASSERT_TRUE(seen.has_value());
  EXPECT_EQ(seen->value("/status/observedGeneration"_json_pointer, int64_t{0}),
            ours["metadata"].value("generation", int64_t{0}))
      << "the completed rollout, not our older answer";
  EXPECT_EQ(Gets(), gets);
}

TEST_F(FreshReaderTest, AVersionItCannotPlaceCostsOneGet) {
  const std::string ns = cluster.namespace_name();
  const json created = Create("api");
  store.Replace({created});
  const auto prior = reader.Before(ns, "api");
  // Someone else's status write the cache shows while ours is on its way: before or after ours?
  const json theirs = CompleteRollout("api", 1);
  reader.Wrote(ns, "api", Restart("api"), prior);
  Deliver(theirs);
  const int64_t gets = Gets();
  EXPECT_EQ(Hash(reader.Get(ns, "api")), "h1") << "the live object";
  EXPECT_EQ(Gets(), gets + 1);
}

// Memory: an entry is kept only while the cache lags. One the watch has caught up with goes at
// the next sweep even if nobody reads the object again (at 10,000 resources these were
// 5.9 MB kept for 10 minutes); one the cache still lags behind stays and still bridges.
TEST_F(FreshReaderTest, TheSweepDropsEntriesTheCacheCaughtUpWithAndKeepsTheLaggingOnes) {
  const std::string ns = cluster.namespace_name();
  store.Replace({Create("caught-up"), Create("lagging")});
  const auto prior_caught_up = reader.Before(ns, "caught-up");
  const auto prior_lagging = reader.Before(ns, "lagging");
  const json ours = Restart("caught-up");
  reader.Wrote(ns, "caught-up", ours, prior_caught_up);
  reader.Wrote(ns, "lagging", Restart("lagging"), prior_lagging);
  Deliver(ours);
  ASSERT_EQ(reader.kept(), 2u);
  reader.Sweep();
  EXPECT_EQ(reader.kept(), 1u) << "the caught-up entry is dropped without a read";
  const int64_t gets = Gets();
  EXPECT_EQ(Hash(reader.Get(ns, "lagging")), "h1") << "the lagging one is still bridged by our answer";
  EXPECT_EQ(Hash(reader.Get(ns, "caught-up")), "h1") << "from the cache";
  EXPECT_EQ(Gets(), gets);
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::testing
