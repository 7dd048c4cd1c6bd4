// bare_pods: Pods that read the target Secret while no workload controls them (no
// ownerReference with controller: true) load the keys when they start, and nothing can roll
// them out: keyroll can neither restart nor gate on them. Looked for only when keyroll has just
// written new keys to the Secret of a resource with consumers.discover (one list of the
// namespace's pods, RBAC pods list), and reported as a Warning event BarePodsNotRestarted naming
// at most 5 of them, and a log line. They never hold a rotation.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "operator/kube/client.h"
#include "operator/kube/events.h"

namespace keyroll::controller {

// `involved` is the SigningKeyRotation the event is about. Best effort: a failed list is logged.
void ReportBarePods(kube::Client& client, kube::EventRecorder& events, const nlohmann::json& involved,
                    const std::string& ns, const std::string& secret_name);

}  // namespace keyroll::controller
