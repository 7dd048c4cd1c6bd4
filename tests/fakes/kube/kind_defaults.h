// kind_defaults: the per-kind work a real API server does on every write: Secret stringData
// merged into base64 data (and base64 checked), Namespace phase and name label, a few
// Deployment and Event defaults, and a CRD's status (Established, acceptedNames).
#pragma once

#include <nlohmann/json.hpp>

#include "tests/fakes/kube/resource_types.h"

namespace keyroll::fakes {

// current is null on create. Throws ApiError (400) for Secret data that is not base64.
void ApplyKindDefaults(const ResourceType& type, nlohmann::json& object,
                       const nlohmann::json* current);

bool IsBase64(const std::string& text, size_t* bad_byte);

}  // namespace keyroll::fakes
