// Watches as a real server streams them: replay from a resourceVersion, synthetic ADDED for
// "0", bookmarks, timeoutSeconds, selector transitions, 410 for a version outside the
// history, ownerReference garbage collection, and streams that end when either side goes
// (compare /work/shared/k8s-wire/watch-*.txt).
#include "tests/integration/fake_kube_fixture.h"

#include <thread>

namespace keyroll::fakes {
namespace {
namespace KEYROLL_UNITY_ID {

using keyroll::testing::WaitUntil;

constexpr const char* kConfigMaps = "/api/v1/namespaces/wire-capture/configmaps";

std::string ListRv(KubeTestClient& c, const std::string& path) {
  return c.Get(path).Json()["metadata"]["resourceVersion"];
}

std::vector<std::string> Types(const std::vector<json>& events) {
  std::vector<std::string> out;
  for (const auto& e : events) {
    if (e["type"] != "BOOKMARK") out.push_back(e["type"]);
  }
  return out;
}

TEST_F(FakeKubeTest, WatchReplaysFromResourceVersionThenStreamsLive) {
  std::string rv = ListRv(client(), kConfigMaps);
  MustCreate(kConfigMaps, {{"metadata", {{"name", "w1"}}}, {"data", {{"k", "1"}}}});
  auto watch = Watch(std::string(kConfigMaps) + "?watch=true&resourceVersion=" + rv);
  ASSERT_TRUE(watch->WaitForEvents(1));
  client().Patch(std::string(kConfigMaps) + "/w1", R"({"data":{"k":"2"}})");
  client().Delete(std::string(kConfigMaps) + "/w1");
  ASSERT_TRUE(watch->WaitForEvents(3));
  auto events = watch->Events();
  EXPECT_EQ(Types(events), (std::vector<std::string>{"ADDED", "MODIFIED", "DELETED"}));
  EXPECT_EQ(events[0]["object"]["kind"], "ConfigMap");
  EXPECT_EQ(events[0]["object"]["apiVersion"], "v1");
  EXPECT_EQ(events[1]["object"]["data"]["k"], "2");
  EXPECT_EQ(events[2]["object"]["data"]["k"], "2");
  int64_t r0 = std::stoll(events[0]["object"]["metadata"]["resourceVersion"].get<std::string>());
  int64_t r2 = std::stoll(events[2]["object"]["metadata"]["resourceVersion"].get<std::string>());
  EXPECT_EQ(r2, r0 + 2);  // the deletion has its own, newer version
  EXPECT_EQ(watch->status(), 200);
}

TEST_F(FakeKubeTest, WatchFromZeroStartsWithSyntheticAdded) {
  MustCreate(kConfigMaps, {{"metadata", {{"name", "a"}}}});
  MustCreate(kConfigMaps, {{"metadata", {{"name", "b"}}}});
  auto watch = Watch(std::string(kConfigMaps) + "?watch=1&resourceVersion=0");
  ASSERT_TRUE(watch->WaitForEvents(3));  // a, b and the namespace's kube-root-ca.crt
  MustCreate(kConfigMaps, {{"metadata", {{"name", "c"}}}});
  ASSERT_TRUE(watch->WaitForEvents(4));
  auto events = watch->Events();
  EXPECT_EQ(Types(events), (std::vector<std::string>{"ADDED", "ADDED", "ADDED", "ADDED"}));
  EXPECT_EQ(events[0]["object"]["metadata"]["name"], "a");
  EXPECT_EQ(events[2]["object"]["metadata"]["name"], "kube-root-ca.crt");
  EXPECT_EQ(events[3]["object"]["metadata"]["name"], "c");
}

TEST_F(FakeKubeTest, BookmarksCarryTheLatestResourceVersion) {
  std::string rv = ListRv(client(), kConfigMaps);
  auto watch = Watch(std::string(kConfigMaps) + "?watch=true&allowWatchBookmarks=true&resourceVersion=" + rv);
  MustCreate(kConfigMaps, {{"metadata", {{"name", "a"}}}});
  ASSERT_TRUE(WaitUntil([&] {
    auto events = watch->Events();
    return events.size() >= 2 && events.back()["type"] == "BOOKMARK" &&
           events.back()["object"]["metadata"]["resourceVersion"] == std::to_string(api().resource_version());
  }));
  json bookmark = watch->Events().back()["object"];
  EXPECT_EQ(bookmark["kind"], "ConfigMap");
  EXPECT_EQ(bookmark["apiVersion"], "v1");
  EXPECT_TRUE(bookmark["metadata"]["creationTimestamp"].is_null());
  EXPECT_EQ(bookmark["metadata"].size(), 2u);
}

TEST_F(FakeKubeTest, TimeoutSecondsEndsTheStreamCleanly) {
  auto watch = Watch(std::string(kConfigMaps) + "?watch=true&timeoutSeconds=1");
  ASSERT_TRUE(WaitUntil([&] { return watch->ended(); }));
  EXPECT_TRUE(watch->complete());
  EXPECT_EQ(watch->status(), 200);
}

TEST_F(FakeKubeTest, SelectedWatchSeesObjectsLeaveAndReturn) {
  std::string rv = ListRv(client(), kConfigMaps);  // replay from here: no race with the writes
  auto watch = Watch(std::string(kConfigMaps) + "?watch=true&labelSelector=app%3Dx&resourceVersion=" + rv);
  MustCreate(kConfigMaps, {{"metadata", {{"name", "m"}, {"labels", {{"app", "x"}}}}}});
  MustCreate(kConfigMaps, {{"metadata", {{"name", "other"}, {"labels", {{"app", "y"}}}}}});
  std::string path = std::string(kConfigMaps) + "/m";
  client().Patch(path, R"({"metadata":{"labels":{"app":"y"}}})");
  client().Patch(path, R"({"metadata":{"labels":{"app":"x"}}})");
  client().Patch(path, R"({"data":{"k":"v"}})");
  ASSERT_TRUE(watch->WaitForEvents(4));
  auto events = watch->Events();
  EXPECT_EQ(Types(events), (std::vector<std::string>{"ADDED", "DELETED", "ADDED", "MODIFIED"}));
  for (const auto& e : events) EXPECT_EQ(e["object"]["metadata"]["name"], "m");
}

class SmallHistoryTest : public FakeKubeTest {
  void Configure(FakeKubeOptions& o) override { o.history = 5; }
};

TEST_F(SmallHistoryTest, WatchOutsideTheHistoryWindowGets410Event) {
  std::string rv = ListRv(client(), kConfigMaps);
  for (int i = 0; i < 10; ++i) MustCreate(kConfigMaps, {{"metadata", {{"name", "c" + std::to_string(i)}}}});
  auto watch = Watch(std::string(kConfigMaps) + "?watch=true&resourceVersion=" + rv);
  ASSERT_TRUE(watch->WaitForEvents(1));
  json e = watch->Events()[0];
  EXPECT_EQ(e["type"], "ERROR");
  EXPECT_EQ(e["object"]["code"], 410);
  EXPECT_EQ(e["object"]["message"], "too old resource version: " + rv + " (" +
                                        std::to_string(api().store().OldestRv()) + ")");
  // A list with a continue token from before the window is expired too.
  HttpAnswer list = client().Get(std::string(kConfigMaps) + "?limit=1");
  std::string token = list.Json()["metadata"]["continue"];
  for (int i = 0; i < 6; ++i) MustCreate(kConfigMaps, {{"metadata", {{"name", "d" + std::to_string(i)}}}});
  HttpAnswer stale = client().Get(std::string(kConfigMaps) + "?limit=1&continue=" + token);
  EXPECT_EQ(stale.status, 410);
  EXPECT_EQ(stale.Json()["reason"], "Expired");
}

TEST_F(FakeKubeTest, WatchEndsWhenTheClientGoesAway) {
  auto watch = Watch(std::string(kConfigMaps) + "?watch=true");
  ASSERT_TRUE(WaitUntil([&] { return api().stats().open_watches() == 1; }));
  watch->Stop();
  EXPECT_TRUE(WaitUntil([&] { return api().stats().open_watches() == 0; }));
}

TEST_F(FakeKubeTest, WatchEndsWhenTheServerStops) {
  auto watch = Watch(std::string(kConfigMaps) + "?watch=true");
  ASSERT_TRUE(WaitUntil([&] { return api().stats().open_watches() == 1; }));
  api().Stop();
  EXPECT_TRUE(WaitUntil([&] { return watch->ended(); }));
  EXPECT_EQ(api().stats().open_watches(), 0);
}

TEST_F(FakeKubeTest, ManyWatchesAtOnce) {
  std::vector<std::unique_ptr<WatchStream>> watches;
  for (int i = 0; i < 20; ++i) watches.push_back(Watch(std::string(kConfigMaps) + "?watch=true"));
  ASSERT_TRUE(WaitUntil([&] { return api().stats().open_watches() == 20; }));
  MustCreate(kConfigMaps, {{"metadata", {{"name", "x"}}}});
  for (auto& w : watches) EXPECT_TRUE(w->WaitForEvents(1));
}

TEST_F(FakeKubeTest, DeletingAnOwnerCollectsItsDependents) {
  CreateWidgetCrd();
  json owner = MustCreate("/apis/wire.example.com/v1alpha1/namespaces/wire-capture/widgets",
                          {{"metadata", {{"name", "w"}}}});
  json ref = {{"apiVersion", "wire.example.com/v1alpha1"}, {"kind", "Widget"}, {"name", "w"},
              {"uid", owner["metadata"]["uid"]}, {"controller", true}, {"blockOwnerDeletion", true}};
  std::string secrets = "/api/v1/namespaces/wire-capture/secrets";
  MustCreate(secrets, {{"metadata", {{"name", "owned"}, {"ownerReferences", {ref}}}}, {"stringData", {{"a", "b"}}}});
  MustCreate(secrets, {{"metadata", {{"name", "free"}}}});
  std::string rv = ListRv(client(), secrets);
  auto watch = Watch(secrets + "?watch=true&resourceVersion=" + rv);
  EXPECT_EQ(client().Delete("/apis/wire.example.com/v1alpha1/namespaces/wire-capture/widgets/w").status, 200);
  ASSERT_TRUE(watch->WaitForEvents(1));
  EXPECT_EQ(watch->Events()[0]["type"], "DELETED");
  EXPECT_EQ(watch->Events()[0]["object"]["metadata"]["name"], "owned");
  HttpAnswer gone = client().Get(secrets + "/owned");
  EXPECT_EQ(gone.status, 404);
  EXPECT_EQ(gone.Json()["message"], "secrets \"owned\" not found");
  EXPECT_EQ(client().Get(secrets + "/free").status, 200);
}

// The collector keeps an owner graph per write: a dependent whose owner never existed goes;
// one that still has another owner stays; one whose ownerReference was removed by an update
// stays when its old owner is deleted.
TEST_F(FakeKubeTest, CollectionFollowsTheOwnerGraphAsItChanges) {
  CreateWidgetCrd();
  const std::string widgets = "/apis/wire.example.com/v1alpha1/namespaces/wire-capture/widgets";
  auto ref_to = [](const json& owner) {
    return json{{"apiVersion", "wire.example.com/v1alpha1"}, {"kind", "Widget"},
                {"name", owner["metadata"]["name"]}, {"uid", owner["metadata"]["uid"]}};
  };
  json a = MustCreate(widgets, {{"metadata", {{"name", "a"}}}});
  json b = MustCreate(widgets, {{"metadata", {{"name", "b"}}}});
  const std::string secrets = "/api/v1/namespaces/wire-capture/secrets";
  json ghost = {{"apiVersion", "wire.example.com/v1alpha1"}, {"kind", "Widget"}, {"name", "ghost"},
                {"uid", "00000000-0000-0000-0000-000000000000"}};
  MustCreate(secrets, {{"metadata", {{"name", "orphan"}, {"ownerReferences", {ghost}}}}});
  MustCreate(secrets, {{"metadata", {{"name", "two-owners"}, {"ownerReferences", {ref_to(a), ref_to(b)}}}}});
  json released = MustCreate(secrets, {{"metadata", {{"name", "released"}, {"ownerReferences", {ref_to(a)}}}}});
  released["metadata"].erase("ownerReferences");
  EXPECT_EQ(client().Put(secrets + "/released", released).status, 200);
  ASSERT_TRUE(keyroll::testing::WaitUntil([&] { return client().Get(secrets + "/orphan").status == 404; }))
      << "a dependent of a uid that does not exist is collected";
  EXPECT_EQ(client().Delete(widgets + "/a").status, 200);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // what the collector would do, it has done
  EXPECT_EQ(client().Get(secrets + "/two-owners").status, 200) << "b still owns it";
  EXPECT_EQ(client().Get(secrets + "/released").status, 200) << "no longer a dependent of a";
  EXPECT_EQ(client().Delete(widgets + "/b").status, 200);
  EXPECT_TRUE(keyroll::testing::WaitUntil([&] { return client().Get(secrets + "/two-owners").status == 404; }));
}

TEST_F(FakeKubeTest, SendInitialEventsEndsWithAnnotatedBookmark) {
  MustCreate(kConfigMaps, {{"metadata", {{"name", "a"}}}});
  auto watch = Watch(std::string(kConfigMaps) +
                     "?watch=true&sendInitialEvents=true&allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan");
  ASSERT_TRUE(watch->WaitForEvents(3));  // a and the namespace's kube-root-ca.crt, then the bookmark
  auto events = watch->Events();
  EXPECT_EQ(events[0]["type"], "ADDED");
  EXPECT_EQ(events[1]["type"], "ADDED");
  EXPECT_EQ(events[2]["type"], "BOOKMARK");
  EXPECT_EQ(events[2]["object"]["metadata"]["annotations"]["k8s.io/initial-events-end"], "true");
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::fakes
