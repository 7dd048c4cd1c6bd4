// crypto: the few OpenSSL primitives the providers need, as plain functions over byte strings
// (std::string holds raw bytes): SHA-256, SHA-1 (certificate thumbprints only), HMAC-SHA256,
// hex, base64 / base64url, constant-time compare.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace keyroll::providers {

std::string Sha256(std::string_view data);                          // 32 raw bytes
std::string HmacSha256(std::string_view key, std::string_view data);  // 32 raw bytes
std::string Sha1(std::string_view data);  // 20 raw bytes; only for X.509 thumbprints (x5t)
std::string HexLower(std::string_view bytes);

// RFC 4648 section 4 (standard alphabet, '=' padding): JWK x5c entries, PEM bodies.
std::string Base64Encode(std::string_view bytes);

// RFC 4648 section 5 alphabet; `pad` adds the trailing '=' characters.
std::string Base64UrlEncode(std::string_view bytes, bool pad);
// Accepts input with or without '=' padding; nullopt on any character outside the alphabet.
std::optional<std::string> Base64UrlDecode(std::string_view text);

bool ConstantTimeEquals(std::string_view a, std::string_view b);

// Bytes from OpenSSL's CSPRNG (RAND_bytes); throws std::runtime_error if it fails.
std::string RandomBytes(std::size_t n);

}  // namespace keyroll::providers
