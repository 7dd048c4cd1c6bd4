// certificate: reads an Auth0 signing key's X.509 certificate (PEM, as the Management API
// sends it) and turns it into the JSON Web Key that verifies the tokens the key signs:
// {kty, alg, use, x5c, n, e, kid, x5t}, and a JWKS document from several such keys.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "operator/providers/provider.h"

namespace keyroll::providers::auth0 {

struct RsaCertificate {
  std::string der;            // the certificate's DER bytes
  std::string canonical_pem;  // re-encoded by OpenSSL: one block, "\n" line ends
  std::string modulus;        // RSA n, big-endian bytes without leading zeros
  std::string exponent;       // RSA e, big-endian bytes without leading zeros
};

// kInvalidAnswer (message naming what is wrong, never the certificate) unless pem holds an
// X.509 certificate with an RSA public key. "\r\n" line ends are accepted.
Result<RsaCertificate> ParseRsaCertificate(std::string_view pem);

// The JWK for one key, members in Auth0's order:
//   {"alg":"RS256","kty":"RSA","use":"sig","x5c":[base64 DER],"n":b64url,"e":b64url,
//    "kid":kid,"x5t":b64url(SHA-1(DER))}
std::string JwkJson(const std::string& kid, const RsaCertificate& cert);

// {"keys":[...]} with one JWK per (kid, certificate), in the order given.
std::string JwksJson(const std::vector<std::pair<std::string, const RsaCertificate*>>& keys);

}  // namespace keyroll::providers::auth0
