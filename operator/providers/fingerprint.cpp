// fingerprint.cpp — one implementation for the whole product: the pure core's
// (operator/rotation/fingerprint.h); these overloads only unwrap the SecretValue.
#include "operator/providers/fingerprint.h"

#include "operator/rotation/fingerprint.h"

namespace keyroll::providers {

std::string Fingerprint(const SecretValue& value) { return rotation::Fingerprint(value.reveal()); }

std::string KeysHash(const SecretValue& current, const SecretValue& next) {
  return rotation::KeysHash(current.reveal(), next.reveal());
}

}  // namespace keyroll::providers
