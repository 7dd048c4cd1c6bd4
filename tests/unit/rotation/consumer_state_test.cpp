#include "operator/rotation/consumer_state.h"
#include "operator/rotation/rollout.h"

#include <gtest/gtest.h>

#include "tests/unit/rotation/rotation_fixtures.h"

namespace keyroll::rotation {
namespace {
namespace KEYROLL_UNITY_ID {

using testing::Deployment;

bool Complete(const ObservedWorkload& w) { return JudgeRollout(w).progress == RolloutProgress::Complete; }

TEST(ConsumerState, DeploymentRolloutCompleteAsKubectlJudges) {
  auto d = Deployment("api", "h");
  EXPECT_TRUE(Complete(d));
  auto stale_gen = d; stale_gen.observed_generation = 4;
  EXPECT_FALSE(Complete(stale_gen));
  auto not_updated = d; not_updated.updated_replicas = 1;
  EXPECT_FALSE(Complete(not_updated));
  auto old_pods = d; old_pods.status_replicas = 3;
  EXPECT_FALSE(Complete(old_pods));
  auto unavailable = d; unavailable.available_replicas = 1;
  EXPECT_FALSE(Complete(unavailable));
  auto scaled_to_zero = d;
  scaled_to_zero.replicas = scaled_to_zero.status_replicas = scaled_to_zero.updated_replicas = scaled_to_zero.available_replicas = 0;
  EXPECT_TRUE(Complete(scaled_to_zero));
}

ObservedWorkload StatefulSet(int32_t replicas, int32_t ready, int32_t updated, std::string current, std::string update) {
  ObservedWorkload s;
  s.kind = WorkloadKind::StatefulSet;
  s.name = "worker";
  s.generation = s.observed_generation = 2;
  s.replicas = replicas;
  s.ready_replicas = ready;
  s.updated_replicas = updated;
  s.update_strategy = "RollingUpdate";
  s.partition = 0;
  s.current_revision = std::move(current);
  s.update_revision = std::move(update);
  s.template_keys_hash = "h";
  return s;
}

TEST(ConsumerState, StatefulSetRolloutAsKubectlJudges) {
  EXPECT_TRUE(Complete(StatefulSet(2, 2, 2, "r2", "r2")));
  EXPECT_FALSE(Complete(StatefulSet(2, 1, 2, "r2", "r2"))) << "a pod not ready";
  EXPECT_FALSE(Complete(StatefulSet(2, 2, 1, "r1", "r2"))) << "one pod on the old revision";
  auto unobserved = StatefulSet(2, 2, 2, "r2", "r2");
  unobserved.generation = 3;
  EXPECT_FALSE(Complete(unobserved));
  auto never_observed = StatefulSet(0, 0, 0, "", "");
  never_observed.generation = 1;
  never_observed.observed_generation = 0;
  EXPECT_FALSE(Complete(never_observed)) << "observedGeneration 0 is never complete (kubectl)";
  auto no_rolling_update = StatefulSet(2, 2, 2, "r1", "r2");
  no_rolling_update.partition.reset();
  EXPECT_FALSE(Complete(no_rolling_update)) << "without rollingUpdate the revisions decide";

  auto partitioned = StatefulSet(3, 3, 1, "r1", "r2");
  partitioned.partition = 2;
  auto v = JudgeRollout(partitioned);
  EXPECT_EQ(v.progress, RolloutProgress::CannotComplete);
  EXPECT_NE(v.message.find("partition 2 keeps 2 pods"), std::string::npos) << v.message;
  auto judged = JudgeConsumer(partitioned, RestartPolicy::RolloutRestart, "h");
  EXPECT_EQ(judged.state, ConsumerState::CannotComplete);
  EXPECT_FALSE(judged.restart_in_flight) << "a rollout that cannot finish holds no restart slot";
}

TEST(ConsumerState, OnDeleteCannotCompleteUntilEveryPodWasReplaced) {
  auto s = StatefulSet(2, 2, 0, "r1", "r2");
  s.update_strategy = "OnDelete";
  s.partition.reset();
  auto v = JudgeRollout(s);
  EXPECT_EQ(v.progress, RolloutProgress::CannotComplete);
  EXPECT_NE(v.message.find("OnDelete"), std::string::npos);
  EXPECT_NE(v.message.find("consumers.restart: None"), std::string::npos);
  s.updated_replicas = 2;
  s.current_revision = "r2";
  EXPECT_TRUE(Complete(s)) << "a person deleted the pods: every pod runs the new template";

  ObservedWorkload d;
  d.kind = WorkloadKind::DaemonSet;
  d.name = "edge";
  d.generation = d.observed_generation = 1;
  d.update_strategy = "OnDelete";
  d.desired_number_scheduled = 3;
  d.updated_number_scheduled = 1;
  d.number_available = 3;
  EXPECT_EQ(JudgeRollout(d).progress, RolloutProgress::CannotComplete);
  d.updated_number_scheduled = 3;
  EXPECT_TRUE(Complete(d));
}

// The controller lists the pods still on an old template (pods_to_delete): the message names
// at most kMaxPodsNamed of them and counts the rest.
TEST(ConsumerState, OnDeleteNamesThePodsToDelete) {
  auto s = StatefulSet(2, 2, 0, "r1", "r2");
  s.update_strategy = "OnDelete";
  s.partition.reset();
  EXPECT_NE(JudgeRollout(s).message.find("(delete them, or use consumers.restart: None)"), std::string::npos)
      << "not listed: no names";
  s.pods_to_delete = {"db-0", "db-1"};
  s.pods_to_delete_count = 2;
  EXPECT_NE(JudgeRollout(s).message.find("(kubectl delete pod db-0 db-1, or use consumers.restart: None) (0/2 replaced)"),
            std::string::npos)
      << JudgeRollout(s).message;
  s.replicas = s.status_replicas = s.ready_replicas = 9;
  s.pods_to_delete = {"db-0", "db-1", "db-2", "db-3", "db-4"};
  s.pods_to_delete_count = 9;
  EXPECT_NE(JudgeRollout(s).message.find("kubectl delete pod db-0 db-1 db-2 db-3 db-4 (and 4 more), or use"),
            std::string::npos)
      << JudgeRollout(s).message;
}

TEST(ConsumerState, DaemonSetRolloutAsKubectlJudges) {
  ObservedWorkload d;
  d.kind = WorkloadKind::DaemonSet;
  d.name = "edge";
  d.generation = d.observed_generation = 2;
  d.update_strategy = "RollingUpdate";
  d.desired_number_scheduled = 3;
  d.updated_number_scheduled = 3;
  d.number_available = 3;
  EXPECT_TRUE(Complete(d));
  auto not_updated = d; not_updated.updated_number_scheduled = 2;
  EXPECT_FALSE(Complete(not_updated));
  auto unavailable = d; unavailable.number_available = 2;
  EXPECT_FALSE(Complete(unavailable));
  auto unobserved = d; unobserved.generation = 3;
  EXPECT_FALSE(Complete(unobserved));
  auto no_nodes = d;
  no_nodes.desired_number_scheduled = no_nodes.updated_number_scheduled = no_nodes.number_available = 0;
  EXPECT_TRUE(Complete(no_nodes)) << "a DaemonSet with no nodes to run on has nothing to roll";
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

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::rotation

namespace keyroll::rotation {
namespace {
namespace KEYROLL_UNITY_ID {

TEST(ConsumerState, ARunningJobThatStartedBeforeTheKeysHoldsThem) {
  const Time keys = ParseTimestamp("2026-03-01T10:00:00Z").value();
  ObservedWorkload job;
  job.kind = WorkloadKind::Job;
  job.name = "backfill";
  job.active = 1;
  job.start_time = keys - Seconds{60};
  auto held = JudgeJob(job, RunningJobsPolicy::Wait, keys);
  EXPECT_EQ(held.state, ConsumerState::Stale);
  EXPECT_NE(held.message.find("running since 2026-03-01T09:59:00Z"), std::string::npos) << held.message;
  EXPECT_FALSE(held.needs_restart) << "nothing restarts a Job";
  EXPECT_EQ(JudgeJob(job, RunningJobsPolicy::Ignore, keys).state, ConsumerState::UpToDate);
  job.start_time = keys + Seconds{1};
  EXPECT_EQ(JudgeJob(job, RunningJobsPolicy::Wait, keys).state, ConsumerState::UpToDate) << "started with the keys";
  job.start_time.reset();
  EXPECT_EQ(JudgeJob(job, RunningJobsPolicy::Wait, keys).state, ConsumerState::Stale) << "unknown start: assume old";
  job.finished = true;
  EXPECT_EQ(JudgeJob(job, RunningJobsPolicy::Wait, keys).state, ConsumerState::UpToDate);

  ObservedWorkload cron;
  cron.kind = WorkloadKind::CronJob;
  cron.name = "nightly";
  cron.active = 3;
  EXPECT_EQ(JudgeJob(cron, RunningJobsPolicy::Wait, keys).state, ConsumerState::UpToDate) << "a CronJob never holds";
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::rotation

namespace keyroll::rotation {
namespace {
namespace KEYROLL_UNITY_ID {

// Argo Rollouts is judged as its own status does: utils/rollout/rolloututil.go GetRolloutPhase
// (what `kubectl argo rollouts status` prints) — generation observed, no unpause in flight,
// phase Healthy — plus "fully promoted" (IsFullyPromoted: stableRS == currentPodHash).
TEST(ConsumerState, ArgoRolloutAsArgoRolloutsJudgesIt) {
  ObservedWorkload r;
  r.kind = WorkloadKind::Rollout;
  r.name = "canary";
  r.generation = r.observed_generation = 3;
  r.phase = "Healthy";
  r.stable_rs = r.current_pod_hash = "abc";
  EXPECT_EQ(JudgeRollout(r).progress, RolloutProgress::Complete);
  auto unobserved = r; unobserved.generation = 4;
  EXPECT_EQ(JudgeRollout(unobserved).progress, RolloutProgress::InProgress);
  auto unpausing = r; unpausing.unpausing = true;
  EXPECT_EQ(JudgeRollout(unpausing).progress, RolloutProgress::InProgress);
  auto progressing = r; progressing.phase = "Progressing"; progressing.phase_message = "more replicas need to be updated";
  EXPECT_EQ(JudgeRollout(progressing).progress, RolloutProgress::InProgress);
  EXPECT_NE(JudgeRollout(progressing).message.find("more replicas need to be updated"), std::string::npos);
  auto not_promoted = r; not_promoted.stable_rs = "old";
  EXPECT_EQ(JudgeRollout(not_promoted).progress, RolloutProgress::InProgress);
  auto degraded = r; degraded.phase = "Degraded"; degraded.phase_message = "RolloutAborted: metric failed";
  EXPECT_EQ(JudgeRollout(degraded).progress, RolloutProgress::Failed);
  auto paused = r; paused.phase = "Paused"; paused.phase_message = "CanaryPauseStep"; paused.stable_rs = "old";
  auto v = JudgeRollout(paused);
  EXPECT_EQ(v.progress, RolloutProgress::CannotComplete);
  EXPECT_NE(v.message.find("kubectl argo rollouts promote canary"), std::string::npos) << v.message;
  auto fresh = r; fresh.phase = "";
  EXPECT_EQ(JudgeRollout(fresh).progress, RolloutProgress::InProgress);

  ObservedWorkload missing;
  missing.kind = WorkloadKind::Rollout;
  missing.name = "canary";
  missing.found = false;
  missing.kind_not_served = true;
  auto j = JudgeConsumer(missing, RestartPolicy::RolloutRestart, "h");
  EXPECT_EQ(j.state, ConsumerState::NotFound);
  EXPECT_NE(j.message.find("Argo Rollouts is not installed"), std::string::npos);
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::rotation
