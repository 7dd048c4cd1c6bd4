// rollout.h — has a workload finished rolling out its pod template? Exactly as
// `kubectl rollout status --watch=false` judges it (kubectl's polymorphichelpers
// rollout_status.go), per kind:
//  - Deployment: observedGeneration >= generation; Progressing reason
//    ProgressDeadlineExceeded = failed; updatedReplicas >= spec.replicas;
//    status.replicas <= updatedReplicas; availableReplicas >= updatedReplicas.
//  - StatefulSet (RollingUpdate): observedGeneration set and >= generation; readyReplicas
//    >= spec.replicas; with rollingUpdate.partition: updatedReplicas >= replicas - partition,
//    otherwise currentRevision == updateRevision.
//  - DaemonSet (RollingUpdate): observedGeneration >= generation; updatedNumberScheduled and
//    numberAvailable >= desiredNumberScheduled.
//  - Argo Rollout (kubectl does not judge it): as Argo Rollouts' own status does
//    (utils/rollout/rolloututil.go GetRolloutPhase, which `kubectl argo rollouts status`
//    uses): the generation observed, no unpause in flight, status.phase Healthy — and, as the
//    Rollout docs define "fully promoted", status.stableRS == status.currentPodHash. Degraded
//    is Failed; Paused (a canary step or blue-green waiting for promotion) is CannotComplete:
//    it waits for a person to promote it.
// Where keyroll must judge differently, because "complete" must mean "every pod runs the
// new template", it says so:
//  - a StatefulSet partition > 0 leaves pods below it on the old template: kubectl reports
//    "partitioned roll out complete", keyroll reports CannotComplete;
//  - updateStrategy OnDelete: kubectl refuses to judge; keyroll reports CannotComplete until
//    every pod was replaced (updated counts and revisions show it), then Complete.
#pragma once

#include <string>

#include "operator/rotation/observed.h"

namespace keyroll::rotation {

enum class RolloutProgress { Complete, InProgress, Failed, CannotComplete };

struct RolloutVerdict {
  RolloutProgress progress = RolloutProgress::InProgress;
  std::string message;  // why it is not complete ("" when complete)
  bool operator==(const RolloutVerdict&) const = default;
};

RolloutVerdict JudgeRollout(const ObservedWorkload& w);

// The verdict's message while the workload's controller has not yet seen a new template (also
// what a restart leaves in the status: the next reconcile then judges the same and writes nothing).
inline constexpr const char* kRolloutNotObserved = "waiting for the rollout to be observed";

// updateStrategy OnDelete (or any strategy but RollingUpdate): pods change only when deleted.
bool OnDelete(const ObservedWorkload& w);

}  // namespace keyroll::rotation
