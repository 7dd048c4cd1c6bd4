// consumer_state.h — is one consumer workload up to date with a keysHash?
// As DESIGN.md says:
//  - RolloutRestart: pod template annotation keyroll.dev/keys-hash == keysHash AND the
//    rollout is complete as `kubectl rollout status` judges it for the kind (rollout.h);
//  - None: workload annotation keyroll.dev/observed-keys-hash == keysHash.
//  - A Deployment's Progressing=False reason ProgressDeadlineExceeded: failed (either policy).
//  - A rollout that cannot finish by itself (updateStrategy OnDelete, a StatefulSet
//    partition that keeps pods on the old template): CannotComplete, with what a person
//    can do — never an endless silent wait.
//  - A template that belongs to another controller (ownerReference controller: true) is not
//    patched: CannotComplete, naming the owner.
//  - A declared name that does not exist: NotFound (blocks, so a typo cannot pass).
//  - Jobs and CronJobs: JudgeJob.
#pragma once

#include <string>
#include <string_view>

#include "operator/rotation/observed.h"
#include "operator/rotation/spec.h"

namespace keyroll::rotation {

enum class ConsumerState { UpToDate, Stale, RollingOut, RolloutFailed, CannotComplete, NotFound };

struct ConsumerJudgement {
  WorkloadKind kind = WorkloadKind::Deployment;
  std::string name;
  ConsumerState state = ConsumerState::Stale;
  std::string message;           // "" when up to date
  bool needs_restart = false;    // RolloutRestart and template hash != keysHash
  bool restart_in_flight = false;  // template hash == keysHash, rollout still progressing
  // Restart patches made for `restarted_keys_hash` (Decide fills these in from the status).
  int64_t restarts = 0;
  std::string restarted_keys_hash;
  bool operator==(const ConsumerJudgement&) const = default;
};

// A Deployment, StatefulSet or DaemonSet.
ConsumerJudgement JudgeConsumer(const ObservedWorkload& w, RestartPolicy policy, std::string_view keys_hash);

// A Job or CronJob: its pods read the Secret when they start, and nothing restarts them.
//  - CronJob: never holds a rotation (its next Jobs read the keys in the Secret then).
//  - Job: a running Job whose start is before `keys_written_at` (or unknown) holds the keys
//    of before: Stale, unless the policy is Ignore. A finished or not yet started Job is up
//    to date.
ConsumerJudgement JudgeJob(const ObservedWorkload& w, RunningJobsPolicy policy, std::optional<Time> keys_written_at);

}  // namespace keyroll::rotation
