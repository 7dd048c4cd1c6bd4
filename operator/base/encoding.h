// encoding: bytes as text — hex, base64 (RFC 4648 section 4) and base64url (section 5).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace keyroll::base {

std::string HexLower(std::string_view bytes);

// Standard alphabet with '=' padding: Secret data, kubeconfig *-data, JWK x5c, PEM bodies.
std::string Base64Encode(std::string_view bytes);
// Standard alphabet; whitespace ignored, '=' padding optional; nullopt on anything else.
std::optional<std::string> Base64Decode(std::string_view text);

// URL-safe alphabet; `pad` adds the trailing '=' characters (JWTs and JWKs have none).
std::string Base64UrlEncode(std::string_view bytes, bool pad);
// URL-safe alphabet, with or without '=' padding; nullopt on any character outside it.
std::optional<std::string> Base64UrlDecode(std::string_view text);

}  // namespace keyroll::base
