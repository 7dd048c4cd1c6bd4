// secrets_ledger: the whole-suite secrecy check's record of every secret a fake handed out.
// When KEYROLL_SECRETS_LEDGER_DIR is set (scripts/test sets it), RecordIssuedSecrets appends
// each secret as "KIND:BASE64" (private keys span lines), one per line, to a file of this
// process in that directory, at once and flushed: a fake killed with SIGKILL loses nothing
// it issued. scripts/secrecy-scan later looks for all of them in every log, Event, status,
// metric, object and test output the suite left behind. Unset: does nothing.
// KIND: "key" (signing keys: a target Secret may hold them) or "token" (credentials and bearer
// tokens: no Secret keyroll writes may hold one).
#pragma once

#include <string>
#include <vector>

namespace keyroll::fakes {

void RecordIssuedSecrets(const std::vector<std::string>& secrets, const std::string& kind = "token");

}  // namespace keyroll::fakes
