// crypto: the OpenSSL primitives keyroll needs, as plain functions over byte strings
// (std::string holds raw bytes). Every layer hashes through these, none calls OpenSSL's
// digest API itself.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <string>
#include <string_view>

namespace keyroll::base {

std::string Sha256(std::string_view data);                            // 32 raw bytes
// SHA-256 over the parts in order, as if joined, without copying them into one buffer.
std::string Sha256(std::initializer_list<std::string_view> parts);
std::string Sha1(std::string_view data);  // 20 raw bytes; only for X.509 thumbprints (x5t)
std::string HmacSha256(std::string_view key, std::string_view data);  // 32 raw bytes

// Lowercase hex SHA-256: the form shown wherever a digest is shown.
std::string Sha256Hex(std::string_view data);

bool ConstantTimeEquals(std::string_view a, std::string_view b);

// Bytes from OpenSSL's CSPRNG (RAND_bytes); throws std::runtime_error if it fails.
std::string RandomBytes(std::size_t n);

}  // namespace keyroll::base
