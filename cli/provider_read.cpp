// provider_read.cpp — see provider_read.h.
#include "cli/provider_read.h"

#include "operator/controller/provider_cache.h"
#include "operator/providers/registry.h"

namespace keyroll::cli {

std::optional<rotation::ObservedProvider> ReadProviderNow(kube::Client& client,
                                                          const rotation::ObservedResource& resource,
                                                          const std::string& provider_ca_file,
                                                          rotation::Time now, std::string* why_not) {
  // Asked first, so that a user without the permission is told so, not "provider error".
  for (const auto& secret : providers::BuiltinProviders().CredentialSecrets(resource.spec.value().provider)) {
    auto probe = client.Get(kube::resources::kSecrets, resource.meta.namespace_, secret);
    if (!probe && (kube::IsForbidden(probe.error()) || kube::IsUnauthorized(probe.error()))) {
      *why_not = "you may not read the credential Secret \"" + secret + "\"";
      return std::nullopt;
    }
    // The token is read again by the operator's own code below.
  }
  controller::ProviderCacheOptions options;
  options.ca_file = provider_ca_file;
  controller::ProviderCache cache(client, options, nullptr);
  const std::string key = resource.meta.namespace_ + "/" + resource.meta.name;
  auto handle = cache.Connect(resource.meta.namespace_, key, resource.spec.value());
  if (handle.error) {
    rotation::ObservedProvider failed;
    failed.read_at = now;
    failed.error = handle.error;
    return failed;
  }
  return cache.Read(key, handle, std::nullopt, [now] { return now; });
}

}  // namespace keyroll::cli
