// continue_token: the opaque list continuation token, encoded as the real server does:
// base64url (unpadded) of {"v":"meta.k8s.io/v1","rv":N,"start":"<next key>\u0000"}.
#pragma once

#include <cstdint>
#include <string>

namespace keyroll::fakes {

struct ContinueToken {
  int64_t rv = 0;
  std::string start;  // first key to return (inclusive)
};

std::string EncodeContinue(const ContinueToken& token);
// Throws ApiError 400 ("continue key is not valid: ...") on a malformed token.
ContinueToken DecodeContinue(const std::string& text);

}  // namespace keyroll::fakes
