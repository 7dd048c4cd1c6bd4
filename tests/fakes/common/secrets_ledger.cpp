#include "tests/fakes/common/secrets_ledger.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <mutex>

#include "operator/base/encoding.h"

namespace keyroll::fakes {

void RecordIssuedSecrets(const std::vector<std::string>& secrets, const std::string& kind,
                         const std::string& account) {
  const char* dir = std::getenv("KEYROLL_SECRETS_LEDGER_DIR");
  if (!dir || !*dir || secrets.empty()) return;
  static std::mutex mu;
  std::lock_guard lock(mu);
  std::ofstream out(std::string(dir) + "/issued-" + std::to_string(getpid()) + ".txt", std::ios::app);
  for (const auto& s : secrets)
    if (!s.empty()) out << kind << ':' << base::Base64Encode(s) << (account.empty() ? "" : ":" + account) << '\n';
  out.flush();
}

}  // namespace keyroll::fakes
