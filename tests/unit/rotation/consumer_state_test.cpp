#include "operator/rotation/consumer_state.h"

#include <gtest/gtest.h>

#include "tests/unit/rotation/rotation_fixtures.h"

namespace keyroll::rotation {
namespace {

using testing::Deployment;

TEST(ConsumerState, RolloutCompleteAsKubectlJudges) {
  auto d = Deployment("api", "h");
  EXPECT_TRUE(RolloutComplete(d));
  auto stale_gen = d; stale_gen.observed_generation = 4;
  EXPECT_FALSE(RolloutComplete(stale_gen));
  auto not_updated = d; not_updated.updated_replicas = 1;
  EXPECT_FALSE(RolloutComplete(not_updated));
  auto old_pods = d; old_pods.status_replicas = 3;
  EXPECT_FALSE(RolloutComplete(old_pods));
  auto unavailable = d; unavailable.available_replicas = 1;
  EXPECT_FALSE(RolloutComplete(unavailable));
  auto scaled_to_zero = d;
  scaled_to_zero.replicas = scaled_to_zero.status_replicas = scaled_to_zero.updated_replicas = scaled_to_zero.available_replicas = 0;
  EXPECT_TRUE(RolloutComplete(scaled_to_zero));
}

TEST(ConsumerState, JudgementsForRolloutRestart) {
  auto R = RestartPolicy::RolloutRestart;
  auto up = JudgeConsumer(Deployment("api", "h"), R, "h");
  EXPECT_EQ(up.state, ConsumerState::UpToDate);
  EXPECT_FALSE(up.needs_restart);
  EXPECT_EQ(up.message, "");

  auto stale = JudgeConsumer(Deployment("api", "old"), R, "h");
  EXPECT_EQ(stale.state, ConsumerState::Stale);
  EXPECT_TRUE(stale.needs_restart);

  auto none = JudgeConsumer(Deployment("api", std::nullopt), R, "h");
  EXPECT_TRUE(none.needs_restart);

  auto rolling_d = Deployment("api", "h");
  rolling_d.updated_replicas = 1;
  auto rolling = JudgeConsumer(rolling_d, R, "h");
  EXPECT_EQ(rolling.state, ConsumerState::RollingOut);
  EXPECT_TRUE(rolling.restart_in_flight);
  EXPECT_FALSE(rolling.needs_restart);

  auto failed_d = Deployment("api", "h");
  failed_d.progressing_status = "False";
  failed_d.progressing_reason = "ProgressDeadlineExceeded";
  EXPECT_EQ(JudgeConsumer(failed_d, R, "h").state, ConsumerState::RolloutFailed);
  failed_d.progressing_reason = "Other";
  EXPECT_EQ(JudgeConsumer(failed_d, R, "h").state, ConsumerState::UpToDate);

  auto missing_d = Deployment("api", std::nullopt);
  missing_d.found = false;
  auto missing = JudgeConsumer(missing_d, R, "h");
  EXPECT_EQ(missing.state, ConsumerState::NotFound);
  EXPECT_FALSE(missing.needs_restart);
}

TEST(ConsumerState, JudgementsForNone) {
  auto N = RestartPolicy::None;
  auto d = Deployment("api", std::nullopt);
  d.updated_replicas = 0;  // rollout state does not matter with None
  EXPECT_EQ(JudgeConsumer(d, N, "h").state, ConsumerState::Stale);
  EXPECT_FALSE(JudgeConsumer(d, N, "h").needs_restart);
  d.observed_keys_hash = "h";
  EXPECT_EQ(JudgeConsumer(d, N, "h").state, ConsumerState::UpToDate);
  d.template_keys_hash = "h";
  d.observed_keys_hash = "other";
  EXPECT_EQ(JudgeConsumer(d, N, "h").state, ConsumerState::Stale);
}

}  // namespace
}  // namespace keyroll::rotation
