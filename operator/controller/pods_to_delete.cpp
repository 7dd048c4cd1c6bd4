// pods_to_delete.cpp — see pods_to_delete.h.
#include "operator/controller/pods_to_delete.h"

#include <algorithm>

#include "operator/controller/projections.h"
#include "operator/log/logging.h"
#include "operator/rotation/rollout.h"

namespace keyroll::controller {

using nlohmann::json;
using rotation::WorkloadKind;

namespace {

std::string StringAt(const json& j, const char* pointer) {
  const json::json_pointer p(pointer);
  return j.contains(p) && j.at(p).is_string() ? j.at(p).get<std::string>() : "";
}

// spec.selector.matchLabels as a labelSelector query ("" lists the namespace's pods; the
// ownerReference check below keeps only the workload's own either way).
std::string MatchLabelsQuery(const json& workload) {
  const json::json_pointer p("/spec/selector/matchLabels");
  if (!workload.contains(p) || !workload.at(p).is_object()) return "";
  std::string out;
  for (const auto& [k, v] : workload.at(p).items())
    if (v.is_string()) out += (out.empty() ? "" : ",") + k + "=" + v.get<std::string>();
  return out;
}

}  // namespace

void AddPodsToDelete(kube::Client& client, const std::string& ns, rotation::ObservedWorkload& w) {
  if (w.kind != WorkloadKind::StatefulSet && w.kind != WorkloadKind::DaemonSet) return;
  if (!w.found || !rotation::OnDelete(w) ||
      rotation::JudgeRollout(w).progress != rotation::RolloutProgress::CannotComplete)
    return;
  log::Logger lg{{"namespace", ns}, {"workload", std::string(rotation::KindName(w.kind)) + "/" + w.name}};
  auto workload = client.Get(ResourceOf(w.kind), ns, w.name);
  if (!workload) {
    lg.Warn("cannot read the workload to name the pods to delete", {{"error", workload.error().ToString()}});
    return;
  }
  const std::string uid = StringAt(*workload, "/metadata/uid");
  // The label that says which template a pod runs, and the current template's value.
  const bool sts = w.kind == WorkloadKind::StatefulSet;
  const std::string label = sts ? "controller-revision-hash" : "pod-template-generation";
  const std::string current = sts ? StringAt(*workload, "/status/updateRevision")
                                  : StringAt(*workload, "/metadata/annotations/deprecated.daemonset.template.generation");
  std::vector<std::string> old;
  kube::ListOptions o;
  o.label_selector = MatchLabelsQuery(*workload);
  o.limit = 500;
  auto listed = client.ListEach(kube::resources::kPods, ns, o, [&](json&& pod) {
    const json* owner = ControllerOf(pod);
    if (!owner || StringAt(*owner, "/uid") != uid) return;
    const json::json_pointer at("/metadata/labels/" + label);
    const std::string runs = pod.contains(at) && pod.at(at).is_string() ? pod.at(at).get<std::string>() : "";
    if (current.empty() || runs != current) old.push_back(StringAt(pod, "/metadata/name"));
  });
  if (!listed) {
    lg.Warn(kube::IsForbidden(listed.error())
                ? "keyroll may not list pods (RBAC), so the condition names no pods to delete; grant it with "
                  "the chart value podsList.enabled=true or deploy/components/list-pods"
                : "cannot list the pods to delete (the condition names none)",
            {{"error", listed.error().ToString()}});
    return;
  }
  std::sort(old.begin(), old.end());
  w.pods_to_delete_count = static_cast<int32_t>(old.size());
  if (old.size() > rotation::kMaxPodsNamed) old.resize(rotation::kMaxPodsNamed);
  w.pods_to_delete = std::move(old);
}

}  // namespace keyroll::controller
