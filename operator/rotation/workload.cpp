// workload.cpp — see workload.h.
#include "operator/rotation/workload.h"

namespace keyroll::rotation {

std::string_view KindName(WorkloadKind kind) {
  switch (kind) {
    case WorkloadKind::Deployment: return "Deployment";
    case WorkloadKind::StatefulSet: return "StatefulSet";
    case WorkloadKind::DaemonSet: return "DaemonSet";
    case WorkloadKind::Job: return "Job";
    case WorkloadKind::CronJob: return "CronJob";
    case WorkloadKind::Rollout: return "Rollout";
  }
  return "Deployment";
}

std::optional<WorkloadKind> KindFromName(std::string_view name) {
  for (WorkloadKind k : kWorkloadKinds)
    if (KindName(k) == name) return k;
  return std::nullopt;
}

std::string DisplayName(WorkloadKind kind, const std::string& name) {
  if (kind == WorkloadKind::Deployment) return name;
  return std::string(KindName(kind)) + "/" + name;
}

}  // namespace keyroll::rotation
