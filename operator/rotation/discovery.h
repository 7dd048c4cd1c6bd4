// discovery.h — does a workload's pod template read a Secret? (consumers.discover)
// Looks at env[].valueFrom.secretKeyRef, envFrom[].secretRef of containers,
// initContainers and ephemeralContainers, volumes[].secret and
// volumes[].projected.sources[].secret. Pure and non-throwing on any JSON.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace keyroll::rotation {

// `workload` is a Deployment, StatefulSet, DaemonSet or Job (spec.template.spec is read) or a
// CronJob (spec.jobTemplate.spec.template.spec).
bool WorkloadReadsSecret(const nlohmann::json& workload, std::string_view secret_name);

// Every Secret name the pod template reads (each once, in the order found).
std::vector<std::string> SecretsReadBy(const nlohmann::json& workload);

}  // namespace keyroll::rotation
