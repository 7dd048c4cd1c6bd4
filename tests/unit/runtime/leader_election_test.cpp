// The pure half of leader election: MicroTime, the Lease record in client-go's shape, lease
// validity on the local clock, and the acquire/renew/takeover/release decisions.
#include "operator/runtime/leader_election_record.h"

#include <gtest/gtest.h>

#include "operator/runtime/leader_election.h"

namespace keyroll::runtime {
namespace {
namespace KEYROLL_UNITY_ID {

using namespace std::chrono_literals;
using nlohmann::json;

MicroTime At(const char* text) {
  auto t = ParseMicroTime(text);
  EXPECT_TRUE(t.has_value()) << text;
  return t.value_or(MicroTime{});
}

TEST(MicroTime, FormatsWithSixFractionalDigits) {
  EXPECT_EQ(FormatMicroTime(At("2026-11-22T03:07:45.123456Z")), "2026-11-22T03:07:45.123456Z");
  EXPECT_EQ(FormatMicroTime(At("2026-11-22T00:00:00Z")), "2026-11-22T00:00:00.000000Z");
  EXPECT_EQ(FormatMicroTime(At("2024-02-29T23:59:59.5Z")), "2024-02-29T23:59:59.500000Z");
}

TEST(MicroTime, ParsesOffsetsAndExtraDigits) {
  EXPECT_EQ(At("2026-11-22T05:07:45.123456+02:00"), At("2026-11-22T03:07:45.123456Z"));
  EXPECT_EQ(At("2026-11-21T22:00:00-05:30"), At("2026-11-22T03:30:00Z"));
  EXPECT_EQ(At("2026-11-22T03:07:45.123456789Z"), At("2026-11-22T03:07:45.123456Z"));
}

TEST(MicroTime, RejectsGarbage) {
  for (const char* bad : {"", "2026-11-22", "2026-11-22T03:07:45", "2026-13-01T00:00:00Z",
                          "2026-02-30T00:00:00Z", "2026-11-22T03:07:45.Z", "2026-11-22T25:00:00Z",
                          "2026-11-22T03:07:45Zjunk", "yesterday", "2026-11-22T03:07:45+0200"}) {
    EXPECT_FALSE(ParseMicroTime(bad).has_value()) << bad;
  }
}

TEST(LeaseRecord, SpecHasClientGoFieldShapes) {
  LeaderElectionRecord r{"pod-a_1234", 15, At("2026-11-22T03:00:00.000001Z"),
                         At("2026-11-22T03:07:45.123456Z"), 3};
  const json spec = LeaseSpecFromRecord(r);
  EXPECT_EQ(spec, json::parse(R"({"holderIdentity":"pod-a_1234","leaseDurationSeconds":15,
      "acquireTime":"2026-11-22T03:00:00.000001Z","renewTime":"2026-11-22T03:07:45.123456Z",
      "leaseTransitions":3})"));
  const json lease = NewLease("ns1", "keyroll-leader", r);
  EXPECT_EQ(lease["apiVersion"], "coordination.k8s.io/v1");
  EXPECT_EQ(lease["kind"], "Lease");
  EXPECT_EQ(lease["metadata"]["name"], "keyroll-leader");
  EXPECT_EQ(lease["metadata"]["namespace"], "ns1");
  EXPECT_EQ(RecordFromLease(lease), r);
}

TEST(LeaseRecord, ReadsTheWireCaptureAndToleratesGarbage) {
  const json captured = json::parse(R"({"kind":"Lease","spec":{"holderIdentity":"pod-a",
      "leaseDurationSeconds":15,"acquireTime":"2026-11-22T00:00:00.000000Z",
      "renewTime":"2026-11-22T00:00:00.000000Z","leaseTransitions":0}})");
  const auto r = RecordFromLease(captured);
  EXPECT_EQ(r.holder_identity, "pod-a");
  EXPECT_EQ(r.lease_duration_seconds, 15);
  EXPECT_EQ(r.renew_time, At("2026-11-22T00:00:00Z"));

  const json garbage = json::parse(R"({"spec":{"holderIdentity":7,"leaseDurationSeconds":"15",
      "acquireTime":"soon","renewTime":null,"leaseTransitions":-4}})");
  EXPECT_EQ(RecordFromLease(garbage), LeaderElectionRecord{});
  EXPECT_EQ(RecordFromLease(json::parse(R"({"spec":[]})")), LeaderElectionRecord{});
  EXPECT_EQ(RecordFromLease(json::parse("42")), LeaderElectionRecord{});
  EXPECT_EQ(RecordFromLease(json::parse("{}")).holder_identity, "");
}

TEST(LeaseValidity, UsesTheLocalObservationTimeAndTheRecordsDuration) {
  const auto t0 = std::chrono::steady_clock::time_point{} + 1000s;
  // The remote renewTime is far in the past (clock skew): irrelevant, only local time counts.
  LeaderElectionRecord r{"other", 15, At("2000-01-01T00:00:00Z"), At("2000-01-01T00:00:00Z"), 0};
  EXPECT_TRUE(LeaseValid(r, t0, t0));
  EXPECT_TRUE(LeaseValid(r, t0, t0 + 14999ms));
  EXPECT_FALSE(LeaseValid(r, t0, t0 + 15s));
  EXPECT_FALSE(LeaseValid(r, t0, t0 + 60s));
  r.lease_duration_seconds = 1;  // a released lease
  EXPECT_FALSE(LeaseValid(r, t0, t0 + 1s));
  r.lease_duration_seconds = 0;  // missing duration: expired at once
  EXPECT_FALSE(LeaseValid(r, t0, t0));
}

TEST(LeaseDecision, WaitsWhileAnotherHolderIsValid) {
  const LeaderElectionRecord other{"b", 15, At("2026-11-22T03:00:00Z"), At("2026-11-22T03:00:10Z"), 2};
  EXPECT_FALSE(NextRecord(other, true, "a", 15, At("2026-11-22T03:00:11Z")).has_value());
}

TEST(LeaseDecision, TakesOverAnExpiredOrReleasedLease) {
  const auto now = At("2026-11-22T03:01:00.5Z");
  const LeaderElectionRecord other{"b", 15, At("2026-11-22T03:00:00Z"), At("2026-11-22T03:00:10Z"), 2};
  auto next = NextRecord(other, false, "a", 15, now);
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(*next, (LeaderElectionRecord{"a", 15, now, now, 3}));

  const auto released = ReleasedRecord(other, At("2026-11-22T03:00:20Z"));
  EXPECT_EQ(released, (LeaderElectionRecord{"", 1, At("2026-11-22T03:00:20Z"),
                                            At("2026-11-22T03:00:20Z"), 2}));
  // An empty holder is free even while "valid".
  next = NextRecord(released, true, "a", 15, now);
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->holder_identity, "a");
  EXPECT_EQ(next->lease_transitions, 3);
}

TEST(LeaseDecision, RenewalKeepsAcquireTimeAndTransitions) {
  const auto acquired = At("2026-11-22T03:00:00Z");
  const auto now = At("2026-11-22T03:00:30.25Z");
  const LeaderElectionRecord mine{"a", 15, acquired, At("2026-11-22T03:00:28Z"), 5};
  auto next = NextRecord(mine, true, "a", 15, now);
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(*next, (LeaderElectionRecord{"a", 15, acquired, now, 5}));
}

TEST(LeaseDecision, CreatingRecord) {
  const auto now = At("2026-11-22T03:00:00Z");
  EXPECT_EQ(AcquiringRecord("a", 15, now), (LeaderElectionRecord{"a", 15, now, now, 0}));
}

TEST(LeaderElectionConfigCheck, FollowsClientGoRules) {
  LeaderElectionConfig c;
  EXPECT_EQ(ValidateLeaderElectionConfig(c), "");
  c.renew_deadline = 15s;
  EXPECT_NE(ValidateLeaderElectionConfig(c), "");  // lease must exceed renew deadline
  c = {};
  c.retry_period = 9s;
  EXPECT_NE(ValidateLeaderElectionConfig(c), "");  // renew deadline > 1.2 x retry
  c = {};
  c.lease_duration = 1500ms;
  c.renew_deadline = 1s;
  c.retry_period = 100ms;
  EXPECT_NE(ValidateLeaderElectionConfig(c), "");  // whole seconds only
  c = {};
  c.name = "";
  EXPECT_NE(ValidateLeaderElectionConfig(c), "");
  c = {};
  c.retry_period = 0ms;
  EXPECT_NE(ValidateLeaderElectionConfig(c), "");
}

TEST(LeaderIdentity, IsHostnameUnderscoreUuidAndUnique) {
  const auto a = DefaultLeaderIdentity();
  const auto b = DefaultLeaderIdentity();
  EXPECT_NE(a, b);
  const auto sep = a.rfind('_');
  ASSERT_NE(sep, std::string::npos);
  const auto uuid = a.substr(sep + 1);
  EXPECT_EQ(uuid.size(), 36u);
  EXPECT_EQ(uuid[14], '4');
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::runtime
