// factory: QStash in the provider registry (registry.h): reads the token from the Secret
// spec.provider.qstash.tokenSecretRef names and builds a Client.
#pragma once

#include <memory>

#include "operator/providers/registry.h"

namespace keyroll::providers::qstash {

std::unique_ptr<ProviderFactory> MakeFactory();

}  // namespace keyroll::providers::qstash
