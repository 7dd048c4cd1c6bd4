// GaugesOf: the per-resource gauges (blocked reason, ready, maxKeyAge) follow the resource
// as Decide leaves it: blocked only while a due rotation waits at the gate, with the gate's
// reason, and back to "" once it ran; never blocked while nothing is due.
#include "operator/rotation/resource_gauges.h"

#include <gtest/gtest.h>

#include "operator/rotation/vocabulary.h"
#include "tests/unit/rotation/rotation_fixtures.h"

namespace keyroll::rotation {
namespace {
namespace KEYROLL_UNITY_ID {

using namespace keyroll::rotation::testing;
namespace v = vocab;

ResourceGauges Gauges(const Sim& s) { return GaugesOf(s.o.resource, s.now); }

TEST(ResourceGauges, SettledIsReadyAndNotBlocked) {
  Sim s = Settled({{"rotation", {{"maxKeyAge", "720h"}}}});
  EXPECT_EQ(Gauges(s), (ResourceGauges{"", true, Seconds{720 * 3600}}));
  Sim plain = Settled();
  EXPECT_EQ(Gauges(plain), (ResourceGauges{"", true, std::nullopt}));
}

TEST(ResourceGauges, ADueRotationHeldByAStaleConsumerIsBlockedUntilItRuns) {
  Sim s = Settled();
  s.o.consumers[1].template_keys_hash = "old";
  s.rollouts_complete_at_once = false;
  s.Reconcile();  // worker restarts and is stale: not Ready, but nothing is due
  EXPECT_EQ(Gauges(s).blocked_reason, "");
  EXPECT_FALSE(Gauges(s).ready);
  SetSpec(s, {{"rotation", {{"requestID", "r2"}}}});
  s.now += Seconds{3};
  s.Reconcile();
  EXPECT_EQ(Gauges(s).blocked_reason, v::kReasonConsumerStale);
  EXPECT_FALSE(Gauges(s).ready);
  s.CompleteRollouts();
  s.Settle();
  ASSERT_EQ(s.provider_rotations, 1);
  EXPECT_EQ(Gauges(s), (ResourceGauges{"", true, std::nullopt}));
}

TEST(ResourceGauges, SuspendHoldsADueRotationWithItsReasonWhileReady) {
  Sim s = Settled({{"rotation", {{"suspend", true}}}});
  EXPECT_EQ(Gauges(s).blocked_reason, "") << "nothing due";
  SetSpec(s, {{"rotation", {{"suspend", true}, {"requestID", "r2"}}}});
  s.Settle();
  EXPECT_EQ(Gauges(s), (ResourceGauges{std::string(v::kReasonSuspended), true, std::nullopt}));
}

TEST(ResourceGauges, MaxKeyAgePastIsDueAndTheMinIntervalReasonIsReported) {
  // maxKeyAge 1h, minInterval 2h: right after a rotation the key is soon too old again and the
  // rotation waits for minInterval.
  Sim s = Settled({{"rotation", {{"maxKeyAge", "1h"}, {"minInterval", "2h"}}}});
  s.now += std::chrono::minutes{61};
  s.Settle();
  ASSERT_EQ(s.provider_rotations, 1);
  s.now += std::chrono::minutes{61};
  s.Settle();
  EXPECT_EQ(s.provider_rotations, 1);
  EXPECT_EQ(Gauges(s), (ResourceGauges{std::string(v::kReasonMinIntervalNotElapsed), true, Seconds{3600}}));
}

TEST(ResourceGauges, ARotationInProgressIsNotBlocked) {
  Sim s = Settled();
  SetSpec(s, {{"rotation", {{"requestID", "r2"}}}});
  s.Reconcile(Sim::Crash::AfterIntent);
  ASSERT_TRUE(s.o.resource.status.pending_rotation);
  EXPECT_EQ(Gauges(s).blocked_reason, "");
}

TEST(ResourceGauges, AnInvalidSpecIsNotReadyAndHasNoThreshold) {
  Sim s = Settled();
  nlohmann::json bad = Resource({{"rotation", {{"maxKeyAge", "forever"}, {"requestID", "r2"}}}});
  auto status = s.o.resource.status;
  s.o.resource = ParseResource(bad);
  s.o.resource.status = status;
  s.Reconcile();
  EXPECT_EQ(Gauges(s), (ResourceGauges{"", false, std::nullopt}));
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::rotation
