#include "tests/fakes/common/tls_cert.h"

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>

namespace keyroll::fakes {
namespace {

using KeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using CertPtr = std::unique_ptr<X509, decltype(&X509_free)>;

void Check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("tls_cert: ") + what + " failed");
}

KeyPtr NewKey() {
  KeyPtr key(EVP_EC_gen("P-256"), EVP_PKEY_free);
  Check(key != nullptr, "EVP_EC_gen");
  return key;
}

void AddExtension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  Check(ext != nullptr, "X509V3_EXT_conf_nid");
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

CertPtr NewCert(EVP_PKEY* key, const std::string& cn, X509* issuer) {
  CertPtr cert(X509_new(), X509_free);
  Check(cert != nullptr, "X509_new");
  X509_set_version(cert.get(), 2);
  unsigned char serial[16];
  RAND_bytes(serial, sizeof serial);
  serial[0] &= 0x7f;
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
  BN_free(bn);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24 * 3600);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509* signer = issuer ? issuer : cert.get();
  X509_set_issuer_name(cert.get(), X509_get_subject_name(signer));
  return cert;
}

std::string CertPem(X509* cert) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  Check(PEM_write_bio_X509(bio.get(), cert) == 1, "PEM_write_bio_X509");
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

std::string KeyPem(EVP_PKEY* key) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  Check(PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) == 1,
        "PEM_write_bio_PrivateKey");
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

}  // namespace

TlsMaterial GenerateTlsMaterial(const std::string& common_name,
                                const std::string& extra_dns_names) {
  KeyPtr ca_key = NewKey();
  CertPtr ca = NewCert(ca_key.get(), common_name + " CA", nullptr);
  AddExtension(ca.get(), ca.get(), NID_basic_constraints, "critical,CA:TRUE");
  AddExtension(ca.get(), ca.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
  AddExtension(ca.get(), ca.get(), NID_subject_key_identifier, "hash");
  Check(X509_sign(ca.get(), ca_key.get(), EVP_sha256()) > 0, "X509_sign(ca)");

  KeyPtr server_key = NewKey();
  CertPtr server = NewCert(server_key.get(), common_name, ca.get());
  std::string sans = "DNS:localhost,IP:127.0.0.1,IP:::1";
  if (!extra_dns_names.empty()) {
    size_t start = 0;
    while (start <= extra_dns_names.size()) {
      size_t comma = extra_dns_names.find(',', start);
      std::string dns = extra_dns_names.substr(start, comma - start);
      if (!dns.empty()) sans += ",DNS:" + dns;
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  AddExtension(server.get(), ca.get(), NID_subject_alt_name, sans);
  AddExtension(server.get(), ca.get(), NID_basic_constraints, "critical,CA:FALSE");
  AddExtension(server.get(), ca.get(), NID_key_usage, "critical,digitalSignature,keyEncipherment");
  AddExtension(server.get(), ca.get(), NID_ext_key_usage, "serverAuth,clientAuth");
  Check(X509_sign(server.get(), ca_key.get(), EVP_sha256()) > 0, "X509_sign(server)");

  return TlsMaterial{CertPem(ca.get()), CertPem(server.get()), KeyPem(server_key.get())};
}

std::string WriteTlsMaterial(const TlsMaterial& material, const std::string& dir) {
  std::filesystem::create_directories(dir);
  auto write = [&](const char* name, const std::string& pem) {
    std::ofstream out(dir + "/" + name, std::ios::binary | std::ios::trunc);
    out << pem;
    if (!out) throw std::runtime_error("tls_cert: cannot write " + dir + "/" + name);
  };
  write("ca.crt", material.ca_cert_pem);
  write("tls.crt", material.server_cert_pem);
  write("tls.key", material.server_key_pem);
  std::filesystem::permissions(dir + "/tls.key", std::filesystem::perms::owner_read |
                                                     std::filesystem::perms::owner_write);
  return dir;
}

}  // namespace keyroll::fakes
