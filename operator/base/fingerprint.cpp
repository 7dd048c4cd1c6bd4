#include "operator/base/fingerprint.h"

#include "operator/base/crypto.h"
#include "operator/base/encoding.h"

namespace keyroll::base {

std::string Fingerprint(std::string_view key) { return Sha256Hex(key).substr(0, 8); }

std::string KeysHash(std::string_view current, std::string_view next) {
  return HexLower(Sha256({current, "\n", next}));
}

}  // namespace keyroll::base
