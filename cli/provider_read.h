// provider_read: `why --read-provider` — the provider's keys read now, with the resource's
// own credential Secret, through the operator's ProviderCache (the same connect and read as
// a reconcile). Only fingerprints leave this file.
#pragma once

#include <optional>
#include <string>

#include "operator/kube/client.h"
#include "operator/rotation/observed.h"

namespace keyroll::cli {

// The read as Decide takes it: keys or the provider's failure (Credentials when the Secret is
// missing). nullopt when the user may not read the credential Secret: `*why_not` says so, and
// the caller keeps what status says (a missing permission is not a provider failure).
std::optional<rotation::ObservedProvider> ReadProviderNow(kube::Client& client,
                                                          const rotation::ObservedResource& resource,
                                                          const std::string& provider_ca_file,
                                                          rotation::Time now, std::string* why_not);

}  // namespace keyroll::cli
