// rollout.cpp — see rollout.h.
#include "operator/rotation/rollout.h"

#include <algorithm>

namespace keyroll::rotation {
bool OnDelete(const ObservedWorkload& w) { return !w.update_strategy.empty() && w.update_strategy != "RollingUpdate"; }

namespace {

using P = RolloutProgress;

std::string N(int64_t n) { return std::to_string(n); }

RolloutVerdict Deployment(const ObservedWorkload& d) {
  if (d.observed_generation < d.generation) return {P::InProgress, kRolloutNotObserved};
  if (d.progressing_reason == "ProgressDeadlineExceeded")
    return {P::Failed, "rollout failed: ProgressDeadlineExceeded"};
  if (d.paused && d.updated_replicas < d.replicas) return {P::InProgress, "rollout paused"};
  if (d.updated_replicas < d.replicas)
    return {P::InProgress, "rollout in progress (" + N(d.updated_replicas) + "/" + N(d.replicas) + " updated, " +
                               N(d.available_replicas) + " available)"};
  if (d.status_replicas > d.updated_replicas)
    return {P::InProgress, "rollout in progress (" + N(d.status_replicas - d.updated_replicas) +
                               " old replicas pending termination)"};
  if (d.available_replicas < d.updated_replicas)
    return {P::InProgress, "rollout in progress (" + N(d.available_replicas) + " of " + N(d.updated_replicas) +
                               " updated replicas available)"};
  return {P::Complete, ""};
}


// Names the pods to delete when the controller listed them (pods_to_delete).
std::string OnDeleteHelp(const ObservedWorkload& w) {
  std::string what = "delete them";
  if (!w.pods_to_delete.empty()) {
    what = "kubectl delete pod";
    for (size_t i = 0; i < w.pods_to_delete.size() && i < kMaxPodsNamed; ++i) what += " " + w.pods_to_delete[i];
    const int32_t named = static_cast<int32_t>(std::min(w.pods_to_delete.size(), kMaxPodsNamed));
    if (w.pods_to_delete_count > named) what += " (and " + N(w.pods_to_delete_count - named) + " more)";
  }
  return "updateStrategy " + w.update_strategy + ": its pods load the keys only when they are deleted (" + what +
         ", or use consumers.restart: None)";
}

RolloutVerdict StatefulSet(const ObservedWorkload& s) {
  if (s.observed_generation == 0 || s.observed_generation < s.generation)
    return {P::InProgress, kRolloutNotObserved};
  if (OnDelete(s)) {
    bool replaced = s.updated_replicas >= s.replicas && s.ready_replicas >= s.replicas &&
                    s.current_revision == s.update_revision;
    if (replaced) return {P::Complete, ""};
    return {P::CannotComplete, OnDeleteHelp(s) + " (" + N(s.updated_replicas) + "/" + N(s.replicas) + " replaced)"};
  }
  if (s.partition && *s.partition > 0 && s.replicas > 0)
    return {P::CannotComplete, "updateStrategy.rollingUpdate.partition " + N(*s.partition) + " keeps " +
                                   N(std::min(*s.partition, s.replicas)) +
                                   " pods on the old template (lower the partition to 0, or use consumers.restart: None)"};
  if (s.ready_replicas < s.replicas)
    return {P::InProgress, "rollout in progress (waiting for " + N(s.replicas - s.ready_replicas) + " pods to be ready)"};
  if (s.partition) {
    if (s.updated_replicas < s.replicas)
      return {P::InProgress, "rollout in progress (" + N(s.updated_replicas) + "/" + N(s.replicas) + " updated)"};
    return {P::Complete, ""};
  }
  if (s.current_revision != s.update_revision)
    return {P::InProgress, "rollout in progress (" + N(s.updated_replicas) + " pods at revision " + s.update_revision + ")"};
  return {P::Complete, ""};
}

RolloutVerdict DaemonSet(const ObservedWorkload& d) {
  if (d.observed_generation < d.generation) return {P::InProgress, kRolloutNotObserved};
  const bool done = d.updated_number_scheduled >= d.desired_number_scheduled &&
                    d.number_available >= d.desired_number_scheduled;
  if (OnDelete(d)) {
    if (done) return {P::Complete, ""};
    return {P::CannotComplete, OnDeleteHelp(d) + " (" + N(d.updated_number_scheduled) + "/" +
                                   N(d.desired_number_scheduled) + " replaced)"};
  }
  if (d.updated_number_scheduled < d.desired_number_scheduled)
    return {P::InProgress, "rollout in progress (" + N(d.updated_number_scheduled) + "/" +
                               N(d.desired_number_scheduled) + " updated)"};
  if (d.number_available < d.desired_number_scheduled)
    return {P::InProgress, "rollout in progress (" + N(d.number_available) + " of " + N(d.desired_number_scheduled) +
                               " updated pods available)"};
  return {P::Complete, ""};
}

RolloutVerdict ArgoRollout(const ObservedWorkload& r) {
  if (r.observed_generation < r.generation) return {P::InProgress, kRolloutNotObserved};
  if (r.unpausing) return {P::InProgress, "waiting for the rollout to unpause"};
  const std::string why = r.phase_message.empty() ? "" : " (" + r.phase_message + ")";
  if (r.phase == "Degraded") return {P::Failed, "rollout degraded" + why};
  if (r.phase == "Paused")
    return {P::CannotComplete, "rollout paused" + why +
                                   ": it waits for promotion (kubectl argo rollouts promote " + r.name + ")"};
  if (r.phase != "Healthy") return {P::InProgress, "rollout " + (r.phase.empty() ? "not started" : r.phase) + why};
  if (r.stable_rs.empty() || r.stable_rs != r.current_pod_hash)
    return {P::InProgress, "rollout not fully promoted (stable ReplicaSet " + r.stable_rs + ", current " +
                               r.current_pod_hash + ")"};
  return {P::Complete, ""};
}

}  // namespace

RolloutVerdict JudgeRollout(const ObservedWorkload& w) {
  switch (w.kind) {
    case WorkloadKind::Deployment: return Deployment(w);
    case WorkloadKind::StatefulSet: return StatefulSet(w);
    case WorkloadKind::DaemonSet: return DaemonSet(w);
    case WorkloadKind::Rollout: return ArgoRollout(w);
    case WorkloadKind::Job:
    case WorkloadKind::CronJob: break;
  }
  return Deployment(w);
}

}  // namespace keyroll::rotation
