#include "operator/providers/qstash/receiver.h"

#include <nlohmann/json.hpp>

#include "operator/base/crypto.h"
#include "operator/base/encoding.h"

namespace keyroll::providers::qstash {
namespace {

std::string_view StripPadding(std::string_view s) {
  while (!s.empty() && s.back() == '=') s.remove_suffix(1);
  return s;
}

struct Parts {
  std::string_view header, payload, signature, signed_part;
};

std::optional<Parts> Split(std::string_view jwt) {
  auto d1 = jwt.find('.');
  if (d1 == std::string_view::npos) return std::nullopt;
  auto d2 = jwt.find('.', d1 + 1);
  if (d2 == std::string_view::npos || jwt.find('.', d2 + 1) != std::string_view::npos) return std::nullopt;
  return Parts{jwt.substr(0, d1), jwt.substr(d1 + 1, d2 - d1 - 1), jwt.substr(d2 + 1), jwt.substr(0, d2)};
}

nlohmann::json DecodeJsonPart(std::string_view part) {
  auto raw = base::Base64UrlDecode(part);
  if (!raw) return nlohmann::json(nlohmann::json::value_t::discarded);
  return nlohmann::json::parse(*raw, nullptr, false);
}

std::optional<std::int64_t> NumericClaim(const nlohmann::json& claims, const char* name) {
  auto it = claims.find(name);
  if (it == claims.end() || !it->is_number()) return std::nullopt;
  return it->get<std::int64_t>();
}

}  // namespace

std::string VerifyWithKey(const SecretValue& key, std::string_view jwt, std::string_view body,
                          const VerifyOptions& options) {
  auto parts = Split(jwt);
  if (!parts) return "the signature is not a JWT (expected three dot-separated parts)";
  auto header = DecodeJsonPart(parts->header);
  if (!header.is_object()) return "the JWT header is not base64url JSON";
  auto alg = header.find("alg");
  if (alg == header.end() || !alg->is_string() || alg->get<std::string>() != "HS256") {
    return "the JWT algorithm is not HS256";
  }
  auto mac = base::Base64UrlDecode(parts->signature);
  if (!mac || !base::ConstantTimeEquals(*mac, base::HmacSha256(key.reveal(), parts->signed_part))) {
    return "signature mismatch";
  }
  auto claims = DecodeJsonPart(parts->payload);
  if (!claims.is_object()) return "the JWT claims are not base64url JSON";
  auto iss = claims.find("iss");
  if (iss == claims.end() || !iss->is_string() || iss->get<std::string>() != "Upstash") {
    return "the issuer (iss) is not Upstash";
  }
  if (options.url) {
    auto sub = claims.find("sub");
    if (sub == claims.end() || !sub->is_string() || sub->get<std::string>() != *options.url) {
      return "the subject (sub) does not match the URL";
    }
  }
  const std::int64_t now = std::chrono::duration_cast<std::chrono::seconds>(options.now.time_since_epoch()).count();
  const std::int64_t tolerance = options.tolerance.count();
  auto exp = NumericClaim(claims, "exp");
  if (!exp) return "the JWT has no expiry (exp)";
  if (now > *exp + tolerance) return "the JWT has expired";
  if (auto nbf = NumericClaim(claims, "nbf"); nbf && now + tolerance < *nbf) return "the JWT is not yet valid (nbf)";
  auto body_claim = claims.find("body");
  if (body_claim == claims.end() || !body_claim->is_string()) return "the JWT has no body hash";
  std::string expected = base::Base64UrlEncode(base::Sha256(body), false);
  if (StripPadding(body_claim->get<std::string>()) != expected) return "the body hash does not match the body";
  return "";
}

Verification Receiver::Verify(std::string_view signature, std::string_view body, const VerifyOptions& options) const {
  std::string with_current = VerifyWithKey(current_, signature, body, options);
  if (with_current.empty()) return {VerifiedBy::kCurrent, ""};
  std::string with_next = VerifyWithKey(next_, signature, body, options);
  if (with_next.empty()) return {VerifiedBy::kNext, ""};
  // Prefer the reason that is not a plain MAC mismatch: it says more.
  if (with_current != "signature mismatch") return {VerifiedBy::kNone, with_current};
  if (with_next != "signature mismatch") return {VerifiedBy::kNone, with_next};
  return {VerifiedBy::kNone, "signature matches neither the current nor the next key"};
}

std::string SignDelivery(const SecretValue& key, std::string_view body, const DeliveryClaims& claims) {
  nlohmann::json header = {{"alg", "HS256"}, {"typ", "JWT"}};
  nlohmann::json payload = {
      {"iss", "Upstash"},
      {"sub", claims.url},
      {"exp", claims.iat + claims.lifetime.count()},
      {"nbf", claims.iat},
      {"iat", claims.iat},
      {"jti", claims.jti},
      {"body", base::Base64UrlEncode(base::Sha256(body), true)},
  };
  std::string signed_part = base::Base64UrlEncode(header.dump(), false) + "." + base::Base64UrlEncode(payload.dump(), false);
  return signed_part + "." + base::Base64UrlEncode(base::HmacSha256(key.reveal(), signed_part), false);
}

}  // namespace keyroll::providers::qstash
