// signing_keys: validation of the Management API's signing-key answers (GET /keys/signing,
// GET /keys/signing/{kid}, the {cert, kid} answers of rotate and revoke) and the mapping of a
// key list to a KeySet. Anything ambiguous is kInvalidAnswer naming the problem (kids are
// public identifiers and may be named; certificates are never echoed), so nothing changes.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "operator/providers/provider.h"

namespace keyroll::providers::auth0 {

// One key object. Only kid, cert and the flags are used; the rest is informational.
struct SigningKey {
  std::string kid;
  std::string cert;  // PEM as Auth0 sent it ("\r\n" line ends)
  bool current = false;
  bool next = false;
  bool previous = false;
  bool revoked = false;
  std::string fingerprint, thumbprint, current_since, current_until, revoked_at;
};

// Kids go into URL paths: 1-256 characters of [A-Za-z0-9._~-].
bool IsValidKid(std::string_view kid);

// A JSON array of key objects, each with a valid kid and a non-empty cert; flags, when
// present, booleans (null reads as false); no kid twice.
Result<std::vector<SigningKey>> ParseSigningKeyList(std::string_view body);
// One key object (GET /keys/signing/{kid}); also the {cert, kid} answers of rotate/revoke.
Result<SigningKey> ParseSigningKey(std::string_view body);

// The tenant's keys as a KeySet:
//   current / next   the canonical PEM certificate of the key flagged current / next
//   extra_data["jwks.json"]  JWKS of current, next and (unless revoked) previous
//   metadata  currentKid, nextKid, previousKid ("" when there is no unrevoked previous key)
// Exactly one current and one next key, neither revoked nor the same key, at most one
// unrevoked previous key, and RSA X.509 certificates for all three; else kInvalidAnswer.
Result<KeySet> KeySetFromSigningKeys(const std::vector<SigningKey>& keys);

inline constexpr const char* kJwksEntry = "jwks.json";
// The metadata names of the kids are every provider's (provider.h).
using providers::kCurrentKid;
using providers::kNextKid;
using providers::kPreviousKid;

}  // namespace keyroll::providers::auth0
