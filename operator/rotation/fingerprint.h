// fingerprint.h — the only two functions that ever see key material in the core, and they
// only hash it: Fingerprint (first 8 hex digits of SHA-256, shown in status and events)
// and KeysHash (the restart token and consumer report value).
//
// KeysHash = lowercase hex SHA-256 of  current + "\n" + next  (the exact Secret values),
// so a consumer's tooling can compute it:  printf '%s\n%s' "$CUR" "$NEXT" | sha256sum
// keyroll also writes it to the Secret's annotation keyroll.dev/keys-hash.
#pragma once

#include <string>
#include <string_view>

namespace keyroll::rotation {

std::string Fingerprint(std::string_view key);
std::string KeysHash(std::string_view current, std::string_view next);

}  // namespace keyroll::rotation
