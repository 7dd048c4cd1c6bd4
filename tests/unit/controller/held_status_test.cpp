// HeldStatus: the first restarts of a wave's later batches are held, and given back on top of the
// status written, until that status changes or kHoldAtMost has passed.
#include "operator/controller/held_status.h"

#include <gtest/gtest.h>

#include "operator/rotation/vocabulary.h"

namespace keyroll::controller {
namespace {
namespace KEYROLL_UNITY_ID {

namespace v = rotation::vocab;

// As written when a wave of three starts, one at a time: "a" restarting, "b" and "c" waiting.
rotation::Status WaveStarted() {
  rotation::Status s;
  s.observed_generation = 1;
  s.phase = std::string(v::kPhaseWaitingForConsumers);
  s.keys = rotation::KeysStatus{"fp-current", "fp-next", "hash-1", std::nullopt};
  s.consumers = {{"Deployment", "a", false, "waiting for the rollout to be observed", 1, "hash-1"},
                 {"Deployment", "b", false, "waiting for a restart slot (maxConcurrentRestarts 1)", 0, ""},
                 {"Deployment", "c", false, "waiting for a restart slot (maxConcurrentRestarts 1)", 0, ""}};
  s.consumers_ready = "0/3";
  s.conditions = {{std::string(v::kCondConsumersUpToDate), "False", 1, {}, std::string(v::kReasonConsumerStale), "a, b, c"},
                  {std::string(v::kCondReady), "False", 1, {}, std::string(v::kReasonConsumerStale), "a, b, c"}};
  return s;
}

// The next batch: "a" rolled out, "b" restarted.
rotation::Status NextBatch(const rotation::Status& written) {
  rotation::Status s = written;
  s.consumers[0].up_to_date = true;
  s.consumers[1] = {"Deployment", "b", false, "waiting for the rollout to be observed", 1, "hash-1"};
  s.consumers_ready = "1/3";
  for (auto& c : s.conditions) c.message = "b, c";
  return s;
}

TEST(HeldStatus, HoldsAWavesProgressAndGivesBackItsFirstRestarts) {
  HeldStatus held;
  const auto now = HeldStatus::Clock::now();
  const rotation::Status written = WaveStarted();
  auto left = held.Hold("ns/r", written, NextBatch(written), now);
  ASSERT_TRUE(left);
  EXPECT_EQ(*left, HeldStatus::kHoldAtMost);

  rotation::Status observed = written;
  auto was = held.Apply("ns/r", observed);
  ASSERT_TRUE(was);
  EXPECT_EQ(*was, written);
  EXPECT_EQ(observed.consumers[1].restarts, 1) << "b's restart counts, though not written";
  EXPECT_EQ(observed.consumers[1].restarted_keys_hash, "hash-1");
  EXPECT_EQ(observed.consumers[2].restarts, 0);

  // Still held a moment later, with the time it was first held.
  left = held.Hold("ns/r", written, NextBatch(written), now + std::chrono::seconds(20));
  ASSERT_TRUE(left);
  EXPECT_EQ(*left, HeldStatus::kHoldAtMost - std::chrono::seconds(20));
  EXPECT_FALSE(held.Hold("ns/r", written, NextBatch(written), now + HeldStatus::kHoldAtMost))
      << "written at the latest kHoldAtMost after it was first held";
}

TEST(HeldStatus, ATransitionIsNotHeldAndAStatusWrittenSinceDropsWhatWasHeld) {
  HeldStatus held;
  const auto now = HeldStatus::Clock::now();
  const rotation::Status written = WaveStarted();
  rotation::Status ready = NextBatch(written);
  ready.conditions[1].status = "True";
  ready.conditions[1].reason = std::string(v::kReasonReady);
  EXPECT_FALSE(held.Hold("ns/r", written, ready, now));

  ASSERT_TRUE(held.Hold("ns/r", written, NextBatch(written), now));
  rotation::Status someone_else = written;
  someone_else.phase = std::string(v::kPhaseBlocked);
  rotation::Status observed = someone_else;
  EXPECT_FALSE(held.Apply("ns/r", observed));
  EXPECT_EQ(observed, someone_else);
  observed = written;
  EXPECT_FALSE(held.Apply("ns/r", observed)) << "dropped";

  ASSERT_TRUE(held.Hold("ns/r", written, NextBatch(written), now));
  held.Drop("ns/r");
  observed = written;
  EXPECT_FALSE(held.Apply("ns/r", observed));
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::controller
