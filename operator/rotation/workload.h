// workload.h — the kinds of workload that can consume a target Secret: those that roll out
// from a pod template (Deployment, StatefulSet, DaemonSet, Argo Rollout: keyroll restarts
// them) and those
// whose pods read the Secret when they start (Job, CronJob: discovered, never restarted),
// and their names as the API spells them.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace keyroll::rotation {

// Rollout: argoproj.io/v1alpha1, served only where Argo Rollouts is installed.
enum class WorkloadKind { Deployment, StatefulSet, DaemonSet, Job, CronJob, Rollout };

inline constexpr std::array<WorkloadKind, 6> kWorkloadKinds{WorkloadKind::Deployment, WorkloadKind::StatefulSet,
                                                            WorkloadKind::DaemonSet,  WorkloadKind::Job,
                                                            WorkloadKind::CronJob,    WorkloadKind::Rollout};

// A new pod template rolls out (keyroll restarts these); Jobs and CronJobs do not.
constexpr bool RollsOut(WorkloadKind kind) { return kind != WorkloadKind::Job && kind != WorkloadKind::CronJob; }

// "Deployment", "StatefulSet", "DaemonSet".
std::string_view KindName(WorkloadKind kind);
std::optional<WorkloadKind> KindFromName(std::string_view name);

// How a consumer is named to people: "api" for a Deployment (the kind keyroll always had),
// "StatefulSet/worker" for the others.
std::string DisplayName(WorkloadKind kind, const std::string& name);

}  // namespace keyroll::rotation
