#include "operator/providers/auth0/certificate.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "operator/base/crypto.h"
#include "operator/base/encoding.h"
#include "operator/base/pem.h"

namespace keyroll::providers::auth0 {
namespace {

using BioPtr = std::unique_ptr<BIO, decltype(&BIO_free)>;
using BnPtr = std::unique_ptr<BIGNUM, decltype(&BN_free)>;

ProviderError Invalid(const std::string& what) {
  return ProviderError{ErrorKind::kInvalidAnswer, what, 200, std::nullopt};
}

std::string BigEndian(const BIGNUM* bn) {
  std::string out(static_cast<std::size_t>(BN_num_bytes(bn)), '\0');
  BN_bn2bin(bn, reinterpret_cast<unsigned char*>(out.data()));
  return out;
}

nlohmann::ordered_json Jwk(const std::string& kid, const RsaCertificate& cert) {
  return nlohmann::ordered_json{{"alg", "RS256"},
                                {"kty", "RSA"},
                                {"use", "sig"},
                                {"x5c", {base::Base64Encode(cert.der)}},
                                {"n", base::Base64UrlEncode(cert.modulus, false)},
                                {"e", base::Base64UrlEncode(cert.exponent, false)},
                                {"kid", kid},
                                {"x5t", base::Base64UrlEncode(base::Sha1(cert.der), false)}};
}

}  // namespace

Result<RsaCertificate> ParseRsaCertificate(std::string_view pem) {
  if (pem.find("-----BEGIN CERTIFICATE-----") == std::string_view::npos) {
    return Invalid("the certificate is not a PEM certificate");
  }
  base::X509Ptr cert = base::CertificateFromPem(pem);
  if (!cert) return Invalid("the certificate does not parse as X.509");
  EVP_PKEY* key = X509_get0_pubkey(cert.get());  // owned by the certificate
  if (key == nullptr) return Invalid("the certificate's public key does not parse");
  if (EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA) return Invalid("the certificate's key is not an RSA key");
  BIGNUM* n = nullptr;
  BIGNUM* e = nullptr;
  EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_N, &n);
  EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_E, &e);
  BnPtr n_owner(n, BN_free), e_owner(e, BN_free);
  if (n == nullptr || e == nullptr) return Invalid("the certificate's RSA key has no modulus or exponent");

  RsaCertificate out;
  out.modulus = BigEndian(n);
  out.exponent = BigEndian(e);
  unsigned char* der = nullptr;
  int der_len = i2d_X509(cert.get(), &der);
  if (der_len <= 0) return Invalid("the certificate cannot be DER-encoded");
  out.der.assign(reinterpret_cast<char*>(der), static_cast<std::size_t>(der_len));
  OPENSSL_free(der);
  BioPtr mem(BIO_new(BIO_s_mem()), BIO_free);
  if (!mem || PEM_write_bio_X509(mem.get(), cert.get()) != 1) return Invalid("the certificate cannot be PEM-encoded");
  char* data = nullptr;
  long len = BIO_get_mem_data(mem.get(), &data);
  out.canonical_pem.assign(data, static_cast<std::size_t>(len));
  return out;
}

std::string JwkJson(const std::string& kid, const RsaCertificate& cert) { return Jwk(kid, cert).dump(); }

std::string JwksJson(const std::vector<std::pair<std::string, const RsaCertificate*>>& keys) {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const auto& [kid, cert] : keys) list.push_back(Jwk(kid, *cert));
  return nlohmann::ordered_json{{"keys", list}}.dump();
}

}  // namespace keyroll::providers::auth0
