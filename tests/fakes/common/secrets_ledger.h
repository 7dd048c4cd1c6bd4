// secrets_ledger: the whole-suite secrecy check's record of every secret a fake handed out.
// When KEYROLL_SECRETS_LEDGER_DIR is set (scripts/test sets it), RecordIssuedSecrets appends
// each secret as "KIND:BASE64" or "KIND:BASE64:ACCOUNT" (private keys span lines), one per
// line, to a file of this process in that directory, at once and flushed: a fake killed with
// SIGKILL loses nothing it issued. scripts/secrecy-scan later looks for all of them in every
// log, Event, status, metric, object and test output the suite left behind. Unset: does nothing.
// KIND: "key" (signing keys: a target Secret may hold them, its own account's only) or "token"
// (credentials, bearer tokens, a tenant's private keys: no Secret keyroll writes may hold one).
// ACCOUNT: whose key it is, never secret itself: CredentialAccountId of the account's token.
#pragma once

#include <string>
#include <vector>

#include "operator/base/crypto.h"
#include "operator/base/encoding.h"

namespace keyroll::fakes {

void RecordIssuedSecrets(const std::vector<std::string>& secrets, const std::string& kind = "token",
                         const std::string& account = "");

// The account a credential opens, as the ledger and the test harness (which records the
// credential Secrets it finds, tests/support/cluster.cpp) both name it: a prefix of its SHA-256
// (the credentials are random, so the prefix reveals nothing).
inline std::string CredentialAccountId(const std::string& credential) {
  return "sha256-" + base::HexLower(base::Sha256(credential)).substr(0, 16);
}

}  // namespace keyroll::fakes
