// provider_read: `why --read-provider` — the provider's keys read now, with the resource's
// own credential Secret, through the operator's ProviderCache (the same connect and read as
// a reconcile). Only fingerprints leave this file.
#pragma once

#include <string>

#include "operator/kube/client.h"
#include "operator/rotation/observed.h"

namespace keyroll::cli {

// The read as Decide takes it: keys or the error (Credentials when the user may not read the
// credential Secret or it is missing; the provider's own failures otherwise).
rotation::ObservedProvider ReadProviderNow(kube::Client& client, const rotation::ObservedResource& resource,
                                           const std::string& provider_ca_file, rotation::Time now);

}  // namespace keyroll::cli
