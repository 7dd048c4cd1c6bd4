// secret_writer: applies a Plan's SecretWrite to the cluster — Create, or Update (PUT) of
// the live Secret with the observed resourceVersion as precondition — setting the two data
// keys (and the provider's extra entries, e.g. Auth0's jwks.json) from the raw provider keys
// when asked, merging labels/annotations, and adding or
// removing keyroll's ownerReference. Never logs or returns key material.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "operator/kube/client.h"
#include "operator/providers/provider.h"
#include "operator/rotation/observed.h"
#include "operator/rotation/plan.h"

namespace keyroll::controller {

// `observed_rv` is the resourceVersion the plan was made from (Update precondition);
// `raw` must be set when write.write_keys (its keysHash already checked by the caller).
// Returns the written object.
kube::Result<nlohmann::json> WriteSecret(kube::Client& client, const rotation::ResourceMeta& owner,
                                         const rotation::SecretWrite& write, const std::string& observed_rv,
                                         const std::optional<providers::KeySet>& raw);

}  // namespace keyroll::controller
