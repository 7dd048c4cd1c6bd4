// EventRecorder against an API server: an Event about an object, and identical repeats
// folded into one Event with a count.
#include "operator/kube/events.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "tests/support/cluster.h"

namespace keyroll::kube {
namespace {
namespace KEYROLL_UNITY_ID {

using keyroll::testing::TestCluster;
using nlohmann::json;

// A ConfigMap "subject" in `ns`, as the involved object of the Events recorded about it.
json Subject(Client& c, const std::string& ns) {
  auto cm = c.Create(resources::kConfigMaps, ns,
                     {{"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"metadata", {{"name", "subject"}}}});
  EXPECT_TRUE(cm.ok()) << cm.error().ToString();
  json involved = cm.ok() ? *cm : json::object();
  involved["apiVersion"] = "v1";
  involved["kind"] = "ConfigMap";
  return involved;
}

TEST(KubeEvents, RecordsAndAggregatesRepeats) {
  TestCluster cluster;
  Client& c = cluster.client();
  const std::string ns = cluster.namespace_name();
  json involved = Subject(c, ns);

  EventRecorder recorder(c, "keyroll");
  ASSERT_TRUE(recorder.Record(involved, EventType::kNormal, "KeysSynced", "keys 3f2a9c1e/9b0d77a2 in the Secret").ok());
  ASSERT_TRUE(recorder.Record(involved, EventType::kNormal, "KeysSynced", "keys 3f2a9c1e/9b0d77a2 in the Secret").ok());
  ASSERT_TRUE(recorder.Record(involved, EventType::kWarning, "RotationBlocked", "consumer api is stale").ok());

  auto events = c.ListAll(resources::kEvents, ns);
  ASSERT_TRUE(events.ok()) << events.error().ToString();
  std::map<std::string, json> by_reason;
  for (const auto& e : events->items) {
    if (e["involvedObject"].value("name", "") == "subject") by_reason[e.value("reason", "")] = e;
  }
  ASSERT_EQ(by_reason.size(), 2u);
  const json& synced = by_reason["KeysSynced"];
  EXPECT_EQ(synced["count"], 2);
  EXPECT_EQ(synced["type"], "Normal");
  EXPECT_EQ(synced["involvedObject"]["uid"], UidOf(involved));
  EXPECT_EQ(synced["involvedObject"]["kind"], "ConfigMap");
  EXPECT_EQ(synced["source"]["component"], "keyroll");
  EXPECT_FALSE(synced.value("lastTimestamp", "").empty());
  EXPECT_EQ(by_reason["RotationBlocked"]["type"], "Warning");
  EXPECT_EQ(by_reason["RotationBlocked"]["count"], 1);
}

// The recorder remembers a bounded number of Events: a repeat of one it forgot is a new
// Event (count 1), never a patch of an Event it no longer knows; its memory stays bounded
// however many distinct messages rotations bring.
TEST(KubeEvents, RemembersABoundedNumberOfEvents) {
  TestCluster cluster;
  Client& c = cluster.client();
  const std::string ns = cluster.namespace_name();
  json involved = Subject(c, ns);
  EventRecorder recorder(c, "keyroll", 3);
  ASSERT_TRUE(recorder.Record(involved, EventType::kNormal, "KeysSynced", "keys 0").ok());
  ASSERT_TRUE(recorder.Record(involved, EventType::kNormal, "KeysSynced", "keys 0").ok());  // remembered: patched
  for (int i = 1; i <= 3; ++i)
    ASSERT_TRUE(recorder.Record(involved, EventType::kNormal, "KeysSynced", "keys " + std::to_string(i)).ok());
  ASSERT_TRUE(recorder.Record(involved, EventType::kNormal, "KeysSynced", "keys 0").ok());  // forgotten: created
  ASSERT_TRUE(recorder.Record(involved, EventType::kNormal, "KeysSynced", "keys 3").ok());  // remembered: patched
  auto events = c.ListAll(resources::kEvents, ns);
  ASSERT_TRUE(events.ok()) << events.error().ToString();
  std::map<std::string, std::vector<int>> counts;  // message -> counts of its Events
  for (const auto& e : events->items)
    if (e["involvedObject"].value("name", "") == "subject") counts[e.value("message", "")].push_back(e.value("count", 0));
  std::sort(counts["keys 0"].begin(), counts["keys 0"].end());
  EXPECT_EQ(counts["keys 0"], (std::vector<int>{1, 2}));
  EXPECT_EQ(counts["keys 3"], (std::vector<int>{2}));
  EXPECT_EQ(counts["keys 1"], (std::vector<int>{1}));
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::kube
