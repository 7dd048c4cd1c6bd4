// consumer_state.cpp — see consumer_state.h.
#include "operator/rotation/consumer_state.h"

#include "operator/rotation/rollout.h"

namespace keyroll::rotation {

ConsumerJudgement JudgeConsumer(const ObservedWorkload& w, RestartPolicy policy, std::string_view keys_hash) {
  ConsumerJudgement j;
  j.kind = w.kind;
  j.name = w.name;
  if (!w.found) {
    j.state = ConsumerState::NotFound;
    // Not served: not installed, or keyroll may not list Rollouts (RBAC; the reflector treats
    // a 403 on an optional kind as not installed).
    j.message = w.kind_not_served ? "Argo Rollouts is not installed (argoproj.io/v1alpha1 rollouts is not served), "
                                    "or keyroll may not list Rollouts (RBAC; chart: argoRollouts.enabled)"
                                  : std::string(KindName(w.kind)) + " not found";
    return j;
  }
  const bool restart = policy == RestartPolicy::RolloutRestart;
  const bool hash_matches = restart ? w.template_keys_hash && *w.template_keys_hash == keys_hash
                                    : w.observed_keys_hash && *w.observed_keys_hash == keys_hash;
  const RolloutVerdict rollout = JudgeRollout(w);
  if (restart && !hash_matches && !w.controller_owner.empty()) {
    j.state = ConsumerState::CannotComplete;
    j.message = "its pod template belongs to " + w.controller_owner +
                " (ownerReference controller: true), so keyroll does not patch it: restart it through its owner, "
                "or use consumers.restart: None";
    return j;
  }
  if (restart) {
    j.needs_restart = !hash_matches;
    // A rollout that cannot finish by itself holds no restart slot: it would hold it forever.
    j.restart_in_flight = hash_matches && (rollout.progress == RolloutProgress::InProgress ||
                                           rollout.progress == RolloutProgress::Failed);
  }
  if (rollout.progress == RolloutProgress::Failed) {
    j.state = ConsumerState::RolloutFailed;
    j.message = rollout.message;
    return j;
  }
  if (!hash_matches) {
    j.state = ConsumerState::Stale;
    j.message = restart ? "pod template does not carry the current keys hash"
                        : "has not reported the current keys hash (annotation keyroll.dev/observed-keys-hash)";
    return j;
  }
  if (restart && rollout.progress != RolloutProgress::Complete) {
    j.state = rollout.progress == RolloutProgress::CannotComplete ? ConsumerState::CannotComplete
                                                                  : ConsumerState::RollingOut;
    j.message = rollout.message;
    return j;
  }
  j.state = ConsumerState::UpToDate;
  return j;
}

ConsumerJudgement JudgeJob(const ObservedWorkload& w, RunningJobsPolicy policy, std::optional<Time> keys_written_at) {
  ConsumerJudgement j;
  j.kind = w.kind;
  j.name = w.name;
  j.state = ConsumerState::UpToDate;
  if (w.kind != WorkloadKind::Job || w.finished || w.active == 0 || policy == RunningJobsPolicy::Ignore) return j;
  if (w.start_time && keys_written_at && *w.start_time >= *keys_written_at) return j;
  j.state = ConsumerState::Stale;
  j.message = "running since " + (w.start_time ? FormatTimestamp(*w.start_time) : std::string("an unknown time")) +
              ", before the current keys were written: the rotation waits until it finishes "
              "(consumers.runningJobs: Ignore lets it go)";
  return j;
}

}  // namespace keyroll::rotation
