// wire: the fake Auth0's JSON answers as the real service shapes them: key objects, the
// Management API error body, the token endpoint's error body, the JWKS document, and the
// deliberately malformed key lists of the wrong-json fault.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tests/fakes/auth0/key_ring.h"

namespace httplib {
struct Response;
}

namespace keyroll::fakes {

// {"kid","cert","fingerprint","thumbprint", flags that are true, dates that are set}.
// Seconds since the epoch, as tokens' iat and exp and the keys' timestamps count them.
std::int64_t UnixNow();

std::string KeyObjectJson(const FakeSigningKey& key);
std::string KeyListJson(const std::vector<FakeSigningKey>& keys);
std::string KeyReferenceJson(const FakeSigningKey& key);  // {"cert","kid"}: rotate/revoke answers

// {"statusCode":S,"error":"<reason>","message":M[,"errorCode":C]}
void SetApiError(httplib::Response& res, int status, const std::string& message, const std::string& error_code = "");
// {"error":E,"error_description":D}
void SetTokenError(httplib::Response& res, int status, const std::string& error, const std::string& description);

// {"keys":[{alg,kty,use,x5c,n,e,kid,x5t}...]} for the given keys, from their certificates.
std::string JwksDocument(const std::vector<const FakeSigningKey*>& keys);

// Wrong-json variants of the key list: not-array | no-current | two-current | no-next |
// two-next | current-and-next | revoked-current | revoked-next | two-previous | missing-kid |
// missing-cert | bad-cert | ec-cert | flag-string | duplicate-kid. Unknown names: no-current.
std::string WrongKeyListJson(const std::string& variant, const KeyRing& ring);

}  // namespace keyroll::fakes
