// provider_read.cpp — see provider_read.h.
#include "cli/provider_read.h"

#include "operator/controller/provider_cache.h"

namespace keyroll::cli {

rotation::ObservedProvider ReadProviderNow(kube::Client& client, const rotation::ObservedResource& resource,
                                           const std::string& provider_ca_file, rotation::Time now) {
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
