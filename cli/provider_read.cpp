// provider_read.cpp — see provider_read.h.
#include "cli/provider_read.h"

#include "operator/controller/provider_cache.h"

namespace keyroll::cli {

namespace {

std::string CredentialSecret(const rotation::Spec& spec) {
  if (const auto* q = rotation::AsQStash(spec)) return q->token_secret_ref.name;
  if (const auto* a = rotation::AsAuth0(spec)) return a->client_secret_ref.name;
  return "";
}

}  // namespace

std::optional<rotation::ObservedProvider> ReadProviderNow(kube::Client& client,
                                                          const rotation::ObservedResource& resource,
                                                          const std::string& provider_ca_file,
                                                          rotation::Time now, std::string* why_not) {
  // Asked first, so that a user without the permission is told so, not "provider error".
  const std::string secret = CredentialSecret(resource.spec.value());
  auto probe = client.Get(kube::resources::kSecrets, resource.meta.namespace_, secret);
  if (!probe && (kube::IsForbidden(probe.error()) || kube::IsUnauthorized(probe.error()))) {
    *why_not = "you may not read the credential Secret \"" + secret + "\"";
    return std::nullopt;
  }
  probe = kube::Object();  // the token is read again by the operator's own code below
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
