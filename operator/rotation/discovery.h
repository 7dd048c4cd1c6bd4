// discovery.h — does a Deployment's pod template read a Secret? (consumers.discover)
// Looks at env[].valueFrom.secretKeyRef, envFrom[].secretRef of containers,
// initContainers and ephemeralContainers, volumes[].secret and
// volumes[].projected.sources[].secret. Pure and non-throwing on any JSON.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace keyroll::rotation {

// `deployment` is an apps/v1 Deployment object (spec.template.spec is read).
bool DeploymentReadsSecret(const nlohmann::json& deployment, std::string_view secret_name);

// Every Secret name the pod template reads (each once, in the order found).
std::vector<std::string> SecretsReadBy(const nlohmann::json& deployment);

}  // namespace keyroll::rotation
