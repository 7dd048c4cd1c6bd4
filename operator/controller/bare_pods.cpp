// bare_pods.cpp — see bare_pods.h.
#include "operator/controller/bare_pods.h"

#include <algorithm>
#include <vector>

#include "operator/controller/projections.h"
#include "operator/log/logging.h"
#include "operator/rotation/discovery.h"
#include "operator/rotation/observed.h"
#include "operator/rotation/vocabulary.h"

namespace keyroll::controller {

using nlohmann::json;
namespace vocab = rotation::vocab;

void ReportBarePods(kube::Client& client, kube::EventRecorder& events, const json& involved, const std::string& ns,
                    const std::string& secret_name) {
  std::vector<std::string> bare;
  kube::ListOptions o;
  o.limit = 500;
  auto listed = client.ListEach(kube::resources::kPods, ns, o, [&](json&& pod) {
    if (ControllerOf(pod) || !pod.contains("spec")) return;
    // Discovery reads a pod template: the pod's own spec is one.
    const json as_template = {{"spec", {{"template", {{"spec", pod["spec"]}}}}}};
    if (rotation::WorkloadReadsSecret(as_template, secret_name))
      bare.push_back(pod.value("/metadata/name"_json_pointer, std::string()));
  });
  log::Logger lg{{"namespace", ns}, {"secret", secret_name}};
  if (!listed) {
    lg.Warn(kube::IsForbidden(listed.error())
                ? "keyroll may not list pods (RBAC), so it cannot report bare Pods that keep the old keys; grant "
                  "it with the chart value podsList.enabled=true or deploy/components/list-pods"
                : "cannot list pods to look for bare Pods that read the Secret",
            {{"error", listed.error().ToString()}});
    return;
  }
  if (bare.empty()) return;
  std::sort(bare.begin(), bare.end());
  std::string names;
  for (size_t i = 0; i < bare.size() && i < rotation::kMaxPodsNamed; ++i) names += (i ? ", " : "") + bare[i];
  if (bare.size() > rotation::kMaxPodsNamed) names += " and " + std::to_string(bare.size() - rotation::kMaxPodsNamed) + " more";
  const std::string message = "Pods " + names + " read Secret \"" + secret_name +
                              "\" and no workload controls them: keyroll cannot restart them, and they keep the "
                              "keys they started with until someone recreates them (run them from a Deployment, "
                              "StatefulSet or DaemonSet to have them restarted and gated)";
  lg.Warn("bare Pods read the Secret; keyroll cannot restart them", {{"pods", names}});
  auto r = events.Record(involved, kube::EventType::kWarning, std::string(vocab::kEventBarePodsNotRestarted), message);
  (void)r;  // best effort (a failure is logged)
}

}  // namespace keyroll::controller
