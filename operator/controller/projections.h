// projections: what the informer caches keep of each object (memory grows with the number
// of objects, not their size) and how the reconciler reads it back.
//  - SigningKeyRotation: metadata keyroll reads, spec, status.
//  - managed Secret: metadata (labels, annotations, ownerReferences) and, instead of the
//    data, a fingerprint per data key plus the keysHash of the (current, next) key pairs
//    that matter. No key material is ever cached.
//  - consumer workloads (Deployment, StatefulSet, DaemonSet): metadata, replicas/paused/
//    updateStrategy, the pod template's annotations and only the parts of the pod spec that
//    name Secrets (so rotation::WorkloadReadsSecret works on the projection), and the status
//    fields `kubectl rollout status` reads for the kind (rotation/rollout.h).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "operator/kube/resource.h"
#include "operator/rotation/observed.h"

namespace keyroll::controller {

using KeyPair = std::pair<std::string, std::string>;  // (currentKey, nextKey) data key names

nlohmann::json ProjectSigningKeyRotation(const nlohmann::json& full);

// `pairs`: the data key pairs whose keysHash is kept (besides the providers' defaults).
nlohmann::json ProjectSecret(const nlohmann::json& full, const std::vector<KeyPair>& pairs);

nlohmann::json ProjectWorkload(const nlohmann::json& full);

// The Secret as Decide sees it, from a projection made by ProjectSecret. nullopt when the
// projection lacks the keysHash for (current_key, next_key) and both keys are present: the
// caller then projects a fresh read of the Secret with that pair.
std::optional<rotation::ObservedSecret> ObserveSecret(const nlohmann::json& projected,
                                                      const std::string& current_key,
                                                      const std::string& next_key,
                                                      const std::string& resource_uid);

// A consumer from a workload projection (found = true).
rotation::ObservedWorkload ObserveWorkload(const nlohmann::json& projected, rotation::WorkloadKind kind,
                                           rotation::ConsumerSource source);

// The API resource of a workload kind.
const kube::ResourceRef& ResourceOf(rotation::WorkloadKind kind);

// metadata.labels as a map (non-string values skipped).
rotation::StringMap LabelsOf(const nlohmann::json& object);

// The ownerReference with controller: true (an object has at most one), or null.
const nlohmann::json* ControllerOf(const nlohmann::json& object);

}  // namespace keyroll::controller
