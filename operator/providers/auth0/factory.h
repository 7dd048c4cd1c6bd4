// factory: Auth0 in the provider registry (registry.h): reads the client id and secret from
// the Secret spec.provider.auth0.clientSecretRef names and builds a Client. Clients are kept
// by their configuration (domain, audience, CA bundle, client id and secret) while in use:
// a client caches its management token, and Auth0 counts and limits the tokens a client
// fetches.
#pragma once

#include <memory>

#include "operator/providers/registry.h"

namespace keyroll::providers::auth0 {

std::unique_ptr<ProviderFactory> MakeFactory();

}  // namespace keyroll::providers::auth0
