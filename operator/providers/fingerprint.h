// fingerprint: the only forms of key material that may be shown anywhere (status, events,
// logs, metrics, annotations): a short fingerprint and the keys hash of a current/next pair.
#pragma once

#include <string>

#include "operator/providers/secret_value.h"

namespace keyroll::providers {

// First 8 lowercase hex digits of SHA-256(value). Keys are high-entropy random strings, so
// the truncated hash identifies a key without revealing anything about it.
std::string Fingerprint(const SecretValue& value);

// Full lowercase hex SHA-256 over  current + "\n" + next  (no trailing newline), i.e.
//   printf '%s\n%s' "$CURRENT" "$NEXT" | sha256sum
// so a consumer's own tooling can compute the same keys-hash it reports back.
// Unambiguous because provider answers with control characters (a newline) are rejected
// before keys get this far (see qstash/keys_answer.h).
std::string KeysHash(const SecretValue& current, const SecretValue& next);

}  // namespace keyroll::providers
