#include "tests/fakes/auth0/wire.h"

#include <httplib.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/pem.h>

#include <chrono>
#include <ctime>
#include <nlohmann/json.hpp>

#include "operator/base/crypto.h"
#include "operator/base/encoding.h"
#include "tests/fakes/common/tls_cert.h"

namespace keyroll::fakes {

std::int64_t UnixNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

namespace {

using nlohmann::ordered_json;

std::string Iso8601(std::int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S.000Z", &tm);
  return buf;
}

ordered_json KeyObject(const FakeSigningKey& k) {
  ordered_json o = {{"kid", k.kid}, {"cert", k.cert_pem}, {"fingerprint", k.fingerprint}, {"thumbprint", k.thumbprint}};
  if (k.current) o["current"] = true;
  if (k.next) o["next"] = true;
  if (k.previous) o["previous"] = true;
  if (k.current_since) o["current_since"] = Iso8601(k.current_since);
  if (k.current_until) o["current_until"] = Iso8601(k.current_until);
  if (k.revoked) o["revoked"] = true;
  if (k.revoked_at) o["revoked_at"] = Iso8601(k.revoked_at);
  return o;
}

std::string Reason(int status) {
  switch (status) {
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    default: return "Error";
  }
}

std::string BigEndian(EVP_PKEY* key, const char* param) {
  BIGNUM* bn = nullptr;
  EVP_PKEY_get_bn_param(key, param, &bn);
  std::string out(static_cast<std::size_t>(BN_num_bytes(bn)), '\0');
  BN_bn2bin(bn, reinterpret_cast<unsigned char*>(out.data()));
  BN_free(bn);
  return out;
}

}  // namespace

std::string KeyObjectJson(const FakeSigningKey& key) { return KeyObject(key).dump(); }

std::string KeyListJson(const std::vector<FakeSigningKey>& keys) {
  ordered_json list = ordered_json::array();
  for (const auto& k : keys) list.push_back(KeyObject(k));
  return list.dump();
}

std::string KeyReferenceJson(const FakeSigningKey& key) {
  return ordered_json{{"cert", key.cert_pem}, {"kid", key.kid}}.dump();
}

void SetApiError(httplib::Response& res, int status, const std::string& message, const std::string& error_code) {
  ordered_json body = {{"statusCode", status}, {"error", Reason(status)}, {"message", message}};
  if (!error_code.empty()) body["errorCode"] = error_code;
  res.status = status;
  res.set_content(body.dump(), "application/json; charset=utf-8");
}

void SetTokenError(httplib::Response& res, int status, const std::string& error, const std::string& description) {
  res.status = status;
  res.set_content(ordered_json{{"error", error}, {"error_description", description}}.dump(), "application/json");
}

std::string JwksDocument(const std::vector<const FakeSigningKey*>& keys) {
  ordered_json list = ordered_json::array();
  for (const FakeSigningKey* k : keys) {
    const auto* p = reinterpret_cast<const unsigned char*>(k->cert_der.data());
    X509* cert = d2i_X509(nullptr, &p, static_cast<long>(k->cert_der.size()));
    EVP_PKEY* pub = X509_get0_pubkey(cert);
    list.push_back({{"alg", "RS256"},
                    {"kty", "RSA"},
                    {"use", "sig"},
                    {"x5c", {base::Base64Encode(k->cert_der)}},
                    {"n", base::Base64UrlEncode(BigEndian(pub, OSSL_PKEY_PARAM_RSA_N), false)},
                    {"e", base::Base64UrlEncode(BigEndian(pub, OSSL_PKEY_PARAM_RSA_E), false)},
                    {"kid", k->kid},
                    {"x5t", base::Base64UrlEncode(base::Sha1(k->cert_der), false)}});
    X509_free(cert);
  }
  return ordered_json{{"keys", list}}.dump();
}

std::string WrongKeyListJson(const std::string& variant, const KeyRing& ring) {
  ordered_json list = ordered_json::parse(KeyListJson(ring.keys()));
  auto index = [&](const char* flag) -> ordered_json& {
    for (auto& k : list) {
      if (k.value(flag, false)) return k;
    }
    return list[0];
  };
  ordered_json& current = index("current");
  ordered_json& next = index("next");
  if (variant == "not-array") return ordered_json{{"keys", list}}.dump();
  if (variant == "two-current") next["current"] = true, next.erase("next");
  else if (variant == "no-next") next.erase("next");
  else if (variant == "two-next") current["next"] = true, current.erase("current");
  else if (variant == "current-and-next") current["next"] = true, next.erase("next");
  else if (variant == "revoked-current") current["revoked"] = true;
  else if (variant == "revoked-next") next["revoked"] = true;
  else if (variant == "two-previous") current["previous"] = true, next["previous"] = true, current.erase("current");
  else if (variant == "missing-kid") next.erase("kid");
  else if (variant == "missing-cert") next.erase("cert");
  else if (variant == "bad-cert") next["cert"] = "-----BEGIN CERTIFICATE-----\r\nbm90IGEgY2VydA==\r\n-----END CERTIFICATE-----\r\n";
  else if (variant == "ec-cert") next["cert"] = GenerateTlsMaterial("not-rsa").server_cert_pem;
  else if (variant == "flag-string") current["current"] = "true";
  else if (variant == "duplicate-kid") next["kid"] = current["kid"];
  else current.erase("current");  // no-current
  return list.dump();
}

}  // namespace keyroll::fakes
