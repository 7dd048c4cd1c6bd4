// ParseObjectJson against real API server answers (tests/unit/testdata/k8s-wire): the same
// tree as json::parse without each object's metadata.managedFields, in single objects,
// list items and watch events; nothing else left out; what is not JSON is refused.
#include "operator/kube/object_json.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "operator/kube/watch_decoder.h"
#include "tests/unit/kube/kube_wire_capture.h"

namespace keyroll::kube {
namespace {
namespace KEYROLL_UNITY_ID {

using nlohmann::json;

// json::parse's tree with metadata.managedFields erased from `object`.
void EraseManagedFields(json& object) {
  if (object.is_object() && object.contains("metadata") && object["metadata"].is_object())
    object["metadata"].erase("managedFields");
}

TEST(ParseObjectJson, LeavesOutManagedFieldsOfAnObjectAndNothingElse) {
  for (const char* name : {"201-create-daemonset.txt", "201-create-statefulset.txt", "201-create-job.txt",
                           "201-skr-pruned-and-defaulted.txt", "200-skr-status-unknown-field-pruned.txt"}) {
    SCOPED_TRACE(name);
    const std::string body = testing::LoadCapture(name).body;
    json expected = json::parse(body);
    ASSERT_TRUE(expected["metadata"].contains("managedFields")) << "the capture should carry managedFields";
    EraseManagedFields(expected);
    json got = ParseObjectJson(body);
    EXPECT_EQ(got, expected);
    EXPECT_FALSE(got["metadata"].contains("managedFields"));
  }
}

TEST(ParseObjectJson, LeavesOutManagedFieldsOfEveryListItem) {
  const std::string body = testing::LoadCapture("200-list-paged.txt").body;
  json expected = json::parse(body);
  ASSERT_FALSE(expected["items"].empty());
  for (auto& item : expected["items"]) EraseManagedFields(item);
  EXPECT_EQ(ParseObjectJson(body), expected);
}

TEST(ParseObjectJson, WatchEventsArriveWithoutManagedFields) {
  std::istringstream events(testing::CaptureWatchEvents());
  int seen = 0;
  for (std::string line; std::getline(events, line);) {
    json expected = json::parse(line)["object"];
    EraseManagedFields(expected);
    auto event = ParseWatchEvent(line);
    ASSERT_TRUE(event.ok());
    EXPECT_EQ(event->object, expected);
    ++seen;
  }
  EXPECT_GE(seen, 3);
}

TEST(ParseObjectJson, KeepsManagedFieldsKeysOutsideMetadataAndEverythingAroundThem) {
  // Only metadata's own managedFields goes: the same key elsewhere (data, labels, a nested
  // object) stays, and so do the keys after a skipped one, nested or plain.
  const std::string text = R"({"metadata":{"name":"a","managedFields":[{"manager":"x","fieldsV1":{"f:a":{"f:b":{}}}}],
    "labels":{"managedFields":"kept"},"uid":"u"},"data":{"managedFields":"kept"},
    "spec":{"template":{"metadata":{"managedFields":7,"annotations":{"k":"v"}}},"list":[[1,{"a":null}],true,2.5]},
    "odd":{"metadata":[{"managedFields":"kept: not in a metadata object"}]},"dup":1,"dup":2})";
  json expected = json::parse(text);
  expected["metadata"].erase("managedFields");
  expected["spec"]["template"]["metadata"].erase("managedFields");
  EXPECT_EQ(ParseObjectJson(text), expected);
}

TEST(ParseObjectJson, RefusesWhatIsNotJson) {
  for (const std::string text : {"", "{", "{\"metadata\":{\"managedFields\":[}", "not json", "{\"a\":1}x"}) {
    SCOPED_TRACE(text);
    EXPECT_TRUE(ParseObjectJson(text).is_discarded());
  }
  EXPECT_EQ(ParseObjectJson("[1,2]"), json::parse("[1,2]"));
  EXPECT_EQ(ParseObjectJson("\"s\""), json("s"));
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::kube
