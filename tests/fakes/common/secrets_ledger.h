// secrets_ledger: the whole-suite secrecy check's record of every secret a fake handed out.
// When KEYROLL_SECRETS_LEDGER_DIR is set (scripts/test sets it), RecordIssuedSecrets appends
// each secret, base64-encoded (private keys span lines), one per line, to a file of this
// process in that directory; scripts/secrecy-scan later looks for all of them in every log,
// Event, status, metric and test output the suite left behind. Unset: does nothing.
#pragma once

#include <string>
#include <vector>

namespace keyroll::fakes {

void RecordIssuedSecrets(const std::vector<std::string>& secrets);

}  // namespace keyroll::fakes
