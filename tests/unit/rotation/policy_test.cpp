#include "operator/rotation/policy.h"

#include <gtest/gtest.h>

#include "tests/unit/rotation/rotation_fixtures.h"

namespace keyroll::rotation {
namespace {
namespace KEYROLL_UNITY_ID {

using namespace keyroll::rotation::testing;

struct P {
  RotationPolicy rotation;
  Status status;
  std::string annotation;
  std::optional<Time> created = T("2026-01-01T00:00:00Z");
  std::optional<Trigger> Due(const char* now) const {
    return RotationDue(PolicyInput{rotation, status, annotation, created}, T(now));
  }
  std::optional<Time> Next() const { return NextRotationTime(PolicyInput{rotation, status, annotation, created}); }
};

TEST(Policy, NothingConfiguredIsNeverDue) {
  P p;
  EXPECT_FALSE(p.Due("2030-01-01T00:00:00Z"));
  EXPECT_FALSE(p.Next());
}

TEST(Policy, RequestIdDueUntilHandled) {
  P p;
  p.rotation.request_id = "r1";
  auto t = p.Due("2026-02-01T00:00:00Z");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->kind, TriggerKind::RequestID);
  EXPECT_NE(t->message.find("r1"), std::string::npos);
  p.status.last_handled_request_id = "r1";
  EXPECT_FALSE(p.Due("2026-02-01T00:00:00Z"));
  p.rotation.request_id = "";  // removing the field asks for nothing
  EXPECT_FALSE(p.Due("2026-02-01T00:00:00Z"));
}

TEST(Policy, RotateRequestAnnotationTrackedSeparately) {
  P p;
  p.annotation = "now";
  ASSERT_TRUE(p.Due("2026-02-01T00:00:00Z"));
  EXPECT_EQ(p.Due("2026-02-01T00:00:00Z")->kind, TriggerKind::RotateRequest);
  p.status.last_handled_rotate_request = "now";
  EXPECT_FALSE(p.Due("2026-02-01T00:00:00Z"));
}

TEST(Policy, RequestsComeBeforeTimeTriggers) {
  P p;
  p.rotation.schedule = "0 3 * * *";
  p.rotation.request_id = "r1";
  EXPECT_EQ(p.Due("2026-03-01T00:00:00Z")->kind, TriggerKind::RequestID);
}

TEST(Policy, ScheduleAnchorsOnCreationThenLastRotation) {
  P p;
  p.rotation.schedule = "0 3 * * *";
  EXPECT_EQ(p.Next(), T("2026-01-01T03:00:00Z"));
  EXPECT_FALSE(p.Due("2026-01-01T02:59:59Z"));
  auto t = p.Due("2026-01-01T03:00:00Z");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->kind, TriggerKind::Schedule);
  EXPECT_NE(t->message.find("2026-01-01T03:00:00Z"), std::string::npos);
  // Missed fire times do not pile up: after a rotation, the next fire after it.
  p.status.last_rotation_time = T("2026-01-05T10:00:00Z");
  EXPECT_EQ(p.Next(), T("2026-01-06T03:00:00Z"));
  EXPECT_FALSE(p.Due("2026-01-06T02:00:00Z"));
  EXPECT_TRUE(p.Due("2026-01-06T03:00:00Z"));
}

TEST(Policy, ScheduleUsesTheTimeZone) {
  P p;
  p.rotation.schedule = "0 3 * * *";
  p.rotation.time_zone = "America/New_York";
  EXPECT_EQ(p.Next(), T("2026-01-01T08:00:00Z"));
}

TEST(Policy, MaxKeyAgeCountsFromSyncedAt) {
  P p;
  p.rotation.max_key_age = std::chrono::hours{720};
  EXPECT_FALSE(p.Next()) << "no keys known yet";
  p.status.keys = KeysStatus{"a", "b", "h", T("2026-01-10T00:00:00Z")};
  EXPECT_EQ(p.Next(), T("2026-02-09T00:00:00Z"));
  EXPECT_FALSE(p.Due("2026-02-08T23:59:59Z"));
  auto t = p.Due("2026-02-09T00:00:00Z");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->kind, TriggerKind::MaxKeyAge);
  EXPECT_NE(t->message.find("720h0m0s"), std::string::npos);
}

TEST(Policy, EarliestOfScheduleAndKeyAge) {
  P p;
  p.rotation.schedule = "0 0 1 * *";
  p.rotation.max_key_age = std::chrono::hours{24};
  p.status.keys = KeysStatus{"a", "b", "h", T("2026-01-01T06:00:00Z")};
  EXPECT_EQ(p.Next(), T("2026-01-02T06:00:00Z"));
  EXPECT_EQ(p.Due("2026-01-02T06:00:00Z")->kind, TriggerKind::MaxKeyAge);
  EXPECT_EQ(p.Due("2026-02-01T00:00:00Z")->kind, TriggerKind::MaxKeyAge);
}

TEST(Policy, SuspendHidesNextRotationTime) {
  P p;
  p.rotation.schedule = "0 3 * * *";
  p.rotation.suspend = true;
  EXPECT_FALSE(p.Next());
}

TEST(Policy, AdoptRequestsMarksCurrentValuesHandled) {
  P p;
  p.rotation.request_id = "r9";
  p.annotation = "x";
  Status s;
  AdoptRequests(PolicyInput{p.rotation, s, p.annotation, p.created}, s);
  EXPECT_EQ(s.last_handled_request_id, "r9");
  EXPECT_EQ(s.last_handled_rotate_request, "x");
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::rotation
