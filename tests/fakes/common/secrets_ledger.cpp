#include "tests/fakes/common/secrets_ledger.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <mutex>

#include <openssl/evp.h>

namespace keyroll::fakes {
namespace {

std::string Base64(const std::string& s) {
  std::string out(4 * ((s.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(s.data()), static_cast<int>(s.size()));
  out.resize(n);
  return out;
}

}  // namespace

void RecordIssuedSecrets(const std::vector<std::string>& secrets, const std::string& kind) {
  const char* dir = std::getenv("KEYROLL_SECRETS_LEDGER_DIR");
  if (!dir || !*dir || secrets.empty()) return;
  static std::mutex mu;
  std::lock_guard lock(mu);
  std::ofstream out(std::string(dir) + "/issued-" + std::to_string(getpid()) + ".txt", std::ios::app);
  for (const auto& s : secrets)
    if (!s.empty()) out << kind << ':' << Base64(s) << '\n';
  out.flush();
}

}  // namespace keyroll::fakes
