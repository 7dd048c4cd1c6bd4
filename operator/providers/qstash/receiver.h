// receiver: verification of QStash delivery signatures (the Upstash-Signature header), the
// equivalent of the official SDKs' Receiver, and SignDelivery, which produces such a
// signature (used by the QStash fake). JWT HS256, secret = the whole key string ("sig_..."),
// verified with the current key and, on any failure, with the next key.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "operator/providers/secret_value.h"

namespace keyroll::providers::qstash {

enum class VerifiedBy { kNone, kCurrent, kNext };

struct Verification {
  VerifiedBy key = VerifiedBy::kNone;
  std::string reason;  // why it was rejected (empty when accepted); never key material
  bool ok() const { return key != VerifiedBy::kNone; }
};

struct VerifyOptions {
  std::optional<std::string> url;  // when set, the "sub" claim must equal it
  std::chrono::system_clock::time_point now = std::chrono::system_clock::now();
  std::chrono::seconds tolerance{0};  // clock skew allowed on exp and nbf
};

class Receiver {
 public:
  Receiver(SecretValue current, SecretValue next) : current_(std::move(current)), next_(std::move(next)) {}
  // Accepts when the JWT verifies with the current key, else with the next key. When neither
  // does, the reason is the one for the key whose MAC matched, or a signature mismatch.
  Verification Verify(std::string_view signature, std::string_view body, const VerifyOptions& options) const;

 private:
  SecretValue current_;
  SecretValue next_;
};

// Checks one key: "" when the JWT is valid for it, else the reason.
std::string VerifyWithKey(const SecretValue& key, std::string_view jwt, std::string_view body,
                          const VerifyOptions& options);

struct DeliveryClaims {
  std::string url;      // sub: the destination URL
  std::int64_t iat = 0;  // unix seconds; nbf = iat, exp = iat + lifetime
  std::chrono::seconds lifetime{300};
  std::string jti;      // a unique message id
};

// The Upstash-Signature value QStash sends: header {"alg":"HS256","typ":"JWT"}, claims iss
// "Upstash", sub, exp, nbf, iat, jti, body = base64url (with '=' padding) of SHA-256(body).
std::string SignDelivery(const SecretValue& key, std::string_view body, const DeliveryClaims& claims);

}  // namespace keyroll::providers::qstash
