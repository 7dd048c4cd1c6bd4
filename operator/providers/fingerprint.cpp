#include "operator/providers/fingerprint.h"

#include "operator/providers/crypto.h"

namespace keyroll::providers {

std::string Fingerprint(const SecretValue& value) {
  return HexLower(Sha256(value.reveal())).substr(0, 8);
}

std::string KeysHash(const SecretValue& current, const SecretValue& next) {
  SecretValue joined(current.reveal() + "\n" + next.reveal());  // wiped when done
  return HexLower(Sha256(joined.reveal()));
}

}  // namespace keyroll::providers
