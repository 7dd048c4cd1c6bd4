// consumer_state.cpp — see consumer_state.h.
#include "operator/rotation/consumer_state.h"

namespace keyroll::rotation {

bool RolloutComplete(const ObservedDeployment& d) {
  return d.observed_generation >= d.generation && d.updated_replicas == d.replicas &&
         d.status_replicas == d.updated_replicas && d.available_replicas >= d.updated_replicas;
}

bool RolloutFailed(const ObservedDeployment& d) {
  return d.progressing_status == "False" && d.progressing_reason == "ProgressDeadlineExceeded";
}

ConsumerJudgement JudgeConsumer(const ObservedDeployment& d, RestartPolicy policy,
                                std::string_view keys_hash) {
  ConsumerJudgement j;
  j.name = d.name;
  if (!d.found) {
    j.state = ConsumerState::NotFound;
    j.message = "Deployment not found";
    return j;
  }
  const bool hash_matches = policy == RestartPolicy::RolloutRestart
                                ? d.template_keys_hash && *d.template_keys_hash == keys_hash
                                : d.observed_keys_hash && *d.observed_keys_hash == keys_hash;
  if (policy == RestartPolicy::RolloutRestart) {
    j.needs_restart = !hash_matches;
    j.restart_in_flight = hash_matches && !RolloutComplete(d);
  }
  if (RolloutFailed(d)) {
    j.state = ConsumerState::RolloutFailed;
    j.message = "rollout failed: ProgressDeadlineExceeded";
    return j;
  }
  if (!hash_matches) {
    j.state = ConsumerState::Stale;
    j.message = policy == RestartPolicy::RolloutRestart
                    ? "pod template does not carry the current keys hash"
                    : "has not reported the current keys hash (annotation keyroll.dev/observed-keys-hash)";
    return j;
  }
  if (policy == RestartPolicy::RolloutRestart && !RolloutComplete(d)) {
    j.state = ConsumerState::RollingOut;
    j.message = d.paused ? "rollout paused" : "rollout in progress (" +
                std::to_string(d.updated_replicas) + "/" + std::to_string(d.replicas) + " updated, " +
                std::to_string(d.available_replicas) + " available)";
    return j;
  }
  j.state = ConsumerState::UpToDate;
  return j;
}

}  // namespace keyroll::rotation
