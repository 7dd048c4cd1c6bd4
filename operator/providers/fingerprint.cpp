// fingerprint.cpp — the one implementation is base's (operator/base/fingerprint.h); these
// overloads only unwrap the SecretValue.
#include "operator/providers/fingerprint.h"

#include "operator/base/fingerprint.h"

namespace keyroll::providers {

std::string Fingerprint(const SecretValue& value) { return base::Fingerprint(value.reveal()); }

std::string KeysHash(const SecretValue& current, const SecretValue& next) {
  return base::KeysHash(current.reveal(), next.reveal());
}

}  // namespace keyroll::providers
