#include "operator/rotation/status_json.h"

#include <gtest/gtest.h>

namespace keyroll::rotation {
namespace {
namespace KEYROLL_UNITY_ID {

using nlohmann::json;

Time T(const char* s) { return ParseTimestamp(s).value(); }

Status Full() {
  Status s;
  s.observed_generation = 4;
  s.phase = "Rotating";
  s.keys = KeysStatus{"3f2a9c1e", "9b0d77a2", std::string(64, 'a'), T("2026-11-22T03:00:00Z")};
  s.rotation_count = 7;
  s.last_rotation_time = T("2026-11-22T03:00:00Z");
  s.next_rotation_time = T("2026-11-29T03:00:00Z");
  s.last_handled_request_id = "2026-11-22";
  s.last_handled_rotate_request = "manual-1";
  s.pending_rotation = PendingRotation{T("2026-11-22T03:00:01Z"), "3f2a9c1e", "9b0d77a2", "Schedule", "r", "m"};
  s.pending_revocation = PendingRevocation{"kidPrevious", T("2026-11-22T03:00:02Z"), std::string(64, 'b')};
  s.consumers = {{"Deployment", "api", true, "", 0, ""}, {"StatefulSet", "worker", false, "rollout in progress", 2, "abc123"}};
  s.consumers_ready = "1/2";
  s.conditions = {{"Ready", "False", 4, T("2026-11-22T03:00:01Z"), "RotationPending", "rotation in progress"},
                  {"KeysSynced", "True", 4, T("2026-11-20T00:00:00Z"), "Synced", "ok"}};
  return s;
}

TEST(StatusJson, FullRoundTrip) {
  Status s = Full();
  json j = StatusToJson(s);
  EXPECT_EQ(ParseStatus(j), s);
  EXPECT_EQ(ParseStatus(json::parse(j.dump())), s);
  EXPECT_EQ(j["keys"]["currentFingerprint"], "3f2a9c1e");
  EXPECT_EQ(j["pendingRotation"]["expectedCurrentFingerprint"], "9b0d77a2");
  EXPECT_EQ(j["pendingRevocation"], json({{"kid", "kidPrevious"}, {"startedAt", "2026-11-22T03:00:02Z"},
                                          {"keysHash", std::string(64, 'b')}}));
  EXPECT_EQ(j["lastHandledRequestID"], "2026-11-22");
  EXPECT_EQ(j["conditions"][0]["lastTransitionTime"], "2026-11-22T03:00:01Z");
  EXPECT_EQ(j["consumers"][1]["upToDate"], false);
  EXPECT_EQ(j["consumers"][1]["kind"], "StatefulSet");
  EXPECT_EQ(j["consumers"][1]["restarts"], 2);
  EXPECT_EQ(j["consumers"][1]["restartedKeysHash"], "abc123");
  EXPECT_FALSE(j["consumers"][0].contains("restarts")) << "left out when 0";
  EXPECT_EQ(j["consumersReady"], "1/2");
}

TEST(StatusJson, EmptyStatusIsAnEmptyObject) {
  EXPECT_EQ(StatusToJson(Status{}), json::object());
  EXPECT_EQ(ParseStatus(json::object()), Status{});
}

TEST(StatusJson, LenientAboutGarbage) {
  json j = json::parse(R"({"observedGeneration": "x", "phase": 5, "keys": [], "rotationCount": 1.5,
                           "lastRotationTime": "yesterday", "consumers": [1, {"name": "a", "upToDate": "yes"}],
                           "conditions": [{"status": "True"}, {"type": "Ready", "lastTransitionTime": 3}]})");
  Status s;
  EXPECT_NO_THROW(s = ParseStatus(j));
  EXPECT_EQ(s.observed_generation, 0);
  EXPECT_EQ(s.phase, "");
  EXPECT_FALSE(s.keys);
  EXPECT_FALSE(s.last_rotation_time);
  ASSERT_EQ(s.consumers.size(), 1u);
  EXPECT_FALSE(s.consumers[0].up_to_date);
  ASSERT_EQ(s.conditions.size(), 1u);
  EXPECT_EQ(s.conditions[0].type, "Ready");
  for (const char* text : {"null", "[]", "\"s\"", "7"}) EXPECT_EQ(ParseStatus(json::parse(text)), Status{});
}

TEST(StatusJson, APartialPendingRotationIsNeverDropped) {
  Status s = ParseStatus(json::parse(R"({"pendingRotation": {"fromFingerprint": 12}})"));
  ASSERT_TRUE(s.pending_rotation);
  EXPECT_EQ(s.pending_rotation->started_at, Time{});
}

TEST(StatusJson, APartialPendingRevocationIsNeverDropped) {
  Status s = ParseStatus(json::parse(R"({"pendingRevocation": {"kid": 12, "startedAt": "soon"}})"));
  ASSERT_TRUE(s.pending_revocation);
  EXPECT_EQ(s.pending_revocation->kid, "");
  EXPECT_EQ(s.pending_revocation->started_at, Time{});
  EXPECT_FALSE(ParseStatus(json::parse(R"({"pendingRevocation": "kidPrevious"})")).pending_revocation);
}

TEST(Timestamp, FormatAndParse) {
  EXPECT_EQ(FormatTimestamp(T("2026-11-22T03:04:05Z")), "2026-11-22T03:04:05Z");
  EXPECT_EQ(T("2026-11-22T04:04:05+01:00"), T("2026-11-22T03:04:05Z"));
  EXPECT_EQ(T("2026-11-22T03:04:05.123456Z"), T("2026-11-22T03:04:05Z"));
  EXPECT_EQ(FormatTimestamp(Time{}), "1970-01-01T00:00:00Z");
  for (const char* bad : {"", "2026-11-22", "2026-11-22T03:04:05", "2026-02-30T00:00:00Z", "2026-11-22T25:00:00Z",
                          "2026-11-22T03:04:05+1:00", "2026-11-22T03:04:05Zjunk", "abcd-ef-ghTij:kl:mnZ"})
    EXPECT_FALSE(ParseTimestamp(bad)) << bad;
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::rotation
