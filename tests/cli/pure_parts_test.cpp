// The parts of kubectl-keyroll that need no cluster: rotate --wait's verdict on a status,
// the status summary, ages, tables and completion scripts.
#include <gtest/gtest.h>

#include "cli/colour.h"
#include "cli/completion.h"
#include "cli/format.h"
#include "cli/rotate_cmd.h"
#include "cli/status_cmd.h"
#include "cli/why_cmd.h"
#include "operator/rotation/parse_spec.h"

namespace keyroll::cli {
namespace {
namespace KEYROLL_UNITY_ID {

using nlohmann::json;
using rotation::Seconds;

json Resource(const json& status) {
  return {{"apiVersion", "keyroll.dev/v1alpha1"},
          {"kind", "SigningKeyRotation"},
          {"metadata", {{"name", "payments"}, {"namespace", "ns"}, {"generation", 1}}},
          {"spec",
           {{"provider", {{"qstash", {{"tokenSecretRef", {{"name", "qstash"}}}}}}},
            {"target", {{"secretName", "keys"}}},
            {"rotation", {{"schedule", "0 3 * * 1"}, {"timeZone", "Europe/Berlin"}, {"maxKeyAge", "720h"}}}}},
          {"status", status}};
}

json Allowed(const std::string& status, const std::string& reason) {
  return {{"type", "RotationAllowed"},
          {"status", status},
          {"reason", reason},
          {"message", reason + " says why"},
          {"lastTransitionTime", "2026-12-01T00:00:00Z"}};
}

const rotation::Time kNow = rotation::ParseTimestamp("2026-12-01T12:00:00Z").value();

RotationVerdict Judge(const json& status, const std::vector<EventView>& events = {}, bool deadline = false) {
  auto end = kNow + Seconds{deadline ? 0 : 300};
  return JudgeRotation(rotation::ParseResource(Resource(status)), "req-1", 3, events, kNow, end);
}

TEST(CliJudgeRotation, RotatedWhenTheRequestIsHandledAndCounted) {
  json st = {
      {"rotationCount", 4},
      {"lastHandledRotateRequest", "req-1"},
      {"keys", {{"currentFingerprint", "aaaa1111"}, {"nextFingerprint", "bbbb2222"}, {"keysHash", "h"}}}};
  auto v = Judge(st);
  EXPECT_EQ(v.outcome, RotationOutcome::Rotated);
  EXPECT_NE(v.message.find("aaaa1111"), std::string::npos);
}

TEST(CliJudgeRotation, FinalHoldsAtOnceOthersOnlyAtTheDeadline) {
  EXPECT_EQ(Judge({{"conditions", {Allowed("False", "Suspended")}}}).outcome, RotationOutcome::Held);
  EXPECT_EQ(Judge({{"conditions", {Allowed("False", "ConsumerStale")}}}).outcome, RotationOutcome::Waiting);
  auto v = Judge({{"conditions", {Allowed("False", "ConsumerStale")}}}, {}, true);
  EXPECT_EQ(v.outcome, RotationOutcome::Held);
  EXPECT_EQ(v.message, "ConsumerStale: ConsumerStale says why");
  EXPECT_EQ(Judge({{"conditions", {Allowed("True", "Allowed")}}}, {}, true).outcome,
            RotationOutcome::Waiting);
}

TEST(CliJudgeRotation, AMinIntervalThatOutlastsTheWaitIsHeldAtOnce) {
  json st = {{"lastRotationTime", "2026-12-01T11:30:00Z"},
             {"conditions", {Allowed("False", "MinIntervalNotElapsed")}}};
  json r = Resource(st);
  r["spec"]["rotation"]["minInterval"] = "1h";  // ends 12:30, after a 5-minute wait
  EXPECT_EQ(JudgeRotation(rotation::ParseResource(r), "req-1", 3, {}, kNow, kNow + Seconds{300}).outcome,
            RotationOutcome::Held);
  r["spec"]["rotation"]["minInterval"] = "32m";  // ends 12:02, within the wait
  EXPECT_EQ(JudgeRotation(rotation::ParseResource(r), "req-1", 3, {}, kNow, kNow + Seconds{300}).outcome,
            RotationOutcome::Waiting);
}

TEST(CliJudgeRotation, FailedOnAFailureEventOrAHandledRequestWithoutRotation) {
  EventView e{"ev", "Warning", "RotationFailed", "rotate call failed (Unavailable): 503", 1, "", 0};
  EXPECT_EQ(Judge(json::object(), {e}).outcome, RotationOutcome::Failed);
  EXPECT_EQ(Judge({{"rotationCount", 3}, {"lastHandledRotateRequest", "req-1"}}).outcome,
            RotationOutcome::Failed);
}

TEST(CliJudgeRotation, WaitsWhileTheProviderCallIsInFlight) {
  json st = {{"pendingRotation", {{"startedAt", "2026-12-01T00:00:00Z"}, {"fromFingerprint", "a"}}},
             {"conditions", {Allowed("False", "RotationPending")}}};
  EXPECT_EQ(Judge(st, {}, true).outcome, RotationOutcome::Waiting);
}

TEST(CliEvents, FreshCountsNewEventsAndRepeats) {
  EventTracker t;
  EXPECT_EQ(t.Fresh({{"a", "Normal", "KeysSynced", "", 1, "", 0}}).size(), 1u);
  EXPECT_EQ(t.Fresh({{"a", "Normal", "KeysSynced", "", 1, "", 0}}).size(), 0u);
  EXPECT_EQ(t.Fresh({{"a", "Normal", "KeysSynced", "", 2, "", 0}}).size(), 1u);
}

TEST(CliStatusSummary, FingerprintsAgeScheduleInItsZoneAndReason) {
  json st = {{"phase", "WaitingForConsumers"},
             {"consumersReady", "1/2"},
             {"nextRotationTime", "2026-12-07T02:00:00Z"},
             {"keys",
              {{"currentFingerprint", "aaaa1111"},
               {"nextFingerprint", "bbbb2222"},
               {"keysHash", "h"},
               {"syncedAt", "2026-12-01T00:00:00Z"}}},
             {"conditions",
              {{{"type", "Ready"},
                {"status", "False"},
                {"reason", "ConsumerStale"},
                {"message", "api rolling out"},
                {"lastTransitionTime", "2026-12-01T00:00:00Z"}}}}};
  auto now = rotation::ParseTimestamp("2026-12-03T04:00:00Z").value();
  json s = Summarize(Resource(st), now);
  EXPECT_EQ(s["keyAge"], "2d4h");
  EXPECT_EQ(s["maxKeyAge"], "720h0m0s");
  EXPECT_EQ(s["nextRotationLocal"], "2026-12-07 03:00 CET");
  EXPECT_EQ(s["consumersReady"], "1/2");
  EXPECT_EQ(s["reason"], "ConsumerStale: api rolling out");
}

TEST(CliStatusSummary, SaysWhichKeyARevocationInProgressRevokes) {
  auto now = rotation::ParseTimestamp("2026-12-03T04:00:00Z").value();
  json idle = Summarize(Resource({{"phase", "Ready"}}), now);
  EXPECT_FALSE(idle.contains("revocationInProgress"));
  EXPECT_FALSE(idle.contains("revokingKid"));
  json st = {{"phase", "Ready"},
             {"pendingRevocation", {{"kid", "kidPrevious"}, {"startedAt", "2026-12-03T03:59:59Z"}, {"keysHash", "h"}}}};
  json s = Summarize(Resource(st), now);
  EXPECT_EQ(s["revocationInProgress"], true);
  EXPECT_EQ(s["revokingKid"], "kidPrevious");
  EXPECT_FALSE(s.contains("rotationInProgress"));
}

TEST(CliWhyExplain, SaysWhichKeyARevocationInProgressRevokes) {
  auto now = rotation::ParseTimestamp("2026-12-03T04:00:00Z").value();
  ClusterState idle;
  idle.observed.resource = rotation::ParseResource(Resource({{"phase", "Ready"}}));
  EXPECT_FALSE(Explain(idle, now).contains("revocationInProgress"));
  ClusterState revoking;
  revoking.observed.resource = rotation::ParseResource(Resource(
      {{"phase", "Ready"},
       {"pendingRevocation", {{"kid", "kidPrevious"}, {"startedAt", "2026-12-03T03:59:59Z"}, {"keysHash", "h"}}}}));
  json e = Explain(revoking, now);
  ASSERT_TRUE(e.contains("revocationInProgress")) << e.dump();
  EXPECT_EQ(e["revocationInProgress"], "a revocation of key kidPrevious is in flight (started 2026-12-03T03:59:59Z)");
}

TEST(CliFormat, AgesTablesAndColourFreeWidths) {
  EXPECT_EQ(FormatAge(Seconds{45}), "45s");
  EXPECT_EQ(FormatAge(Seconds{330}), "5m30s");
  EXPECT_EQ(FormatAge(Seconds{7800}), "2h10m");
  SetColour(true);
  std::ostringstream out;
  PrintTable(out, {"A", "B"}, {{Paint("Ready"), "x"}});
  SetColour(false);
  EXPECT_EQ(VisibleLength(Paint("Ready")), 5u);
  EXPECT_NE(out.str().find("\033[32mReady\033[0m   x"), std::string::npos) << out.str();
}

TEST(CliCompletion, BashAndZshOnly) {
  EXPECT_NE(CompletionScript("bash")->find("complete -F"), std::string::npos);
  EXPECT_NE(CompletionScript("zsh")->find("compdef"), std::string::npos);
  EXPECT_FALSE(CompletionScript("fish"));
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::cli
