// fingerprint.cpp — SHA-256 through OpenSSL's EVP API.
#include "operator/rotation/fingerprint.h"

#include <openssl/evp.h>

namespace keyroll::rotation {
namespace {

std::string Sha256Hex(std::string_view a, std::string_view b, bool two) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
  EVP_DigestUpdate(ctx, a.data(), a.size());
  if (two) {
    EVP_DigestUpdate(ctx, "\n", 1);
    EVP_DigestUpdate(ctx, b.data(), b.size());
  }
  EVP_DigestFinal_ex(ctx, digest, &len);
  EVP_MD_CTX_free(ctx);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 0xf];
  }
  return out;
}

}  // namespace

std::string Fingerprint(std::string_view key) { return Sha256Hex(key, {}, false).substr(0, 8); }

std::string KeysHash(std::string_view current, std::string_view next) {
  return Sha256Hex(current, next, true);
}

}  // namespace keyroll::rotation
