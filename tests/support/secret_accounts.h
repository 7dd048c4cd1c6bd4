// secret_accounts: whose keys each target Secret may hold, for the whole-suite secrecy scan.
// For every Secret keyroll writes (label app.kubernetes.io/managed-by=keyroll) in `ns` ("" =
// all), a line {"uid","namespace","name","resource","account"}: its SigningKeyRotation (the
// keyroll.dev/owner annotation) and the account that resource's credential opens, named as the
// fakes' ledger names it (fakes::CredentialAccountId; Auth0: "auth0:DOMAIN", whose Secrets hold
// certificates, no ledger key). "account" is "" with a "why" when it cannot be told (the
// resource or its credential Secret is gone). Never a credential itself.
#pragma once

#include <string>

#include "operator/kube/client.h"

namespace keyroll::testing {

std::string TargetSecretAccounts(kube::Client& client, const std::string& ns);

}  // namespace keyroll::testing
