// fingerprint: the only forms of key material that may be shown anywhere (status, events,
// logs, metrics, annotations): a short fingerprint and the keys hash of a current/next pair.
//
// KeysHash = lowercase hex SHA-256 of  current + "\n" + next  (the exact Secret values),
// so a consumer's tooling can compute it:  printf '%s\n%s' "$CUR" "$NEXT" | sha256sum
// keyroll also writes it to the Secret's annotation keyroll.dev/keys-hash. Unambiguous because
// provider answers with control characters (a newline) are rejected before keys get this far.
#pragma once

#include <string>
#include <string_view>

namespace keyroll::base {

// First 8 lowercase hex digits of SHA-256(key). Keys are high-entropy random strings, so the
// truncated hash identifies a key without revealing anything about it.
std::string Fingerprint(std::string_view key);
std::string KeysHash(std::string_view current, std::string_view next);

}  // namespace keyroll::base
