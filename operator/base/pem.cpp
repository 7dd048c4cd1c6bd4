#include "operator/base/pem.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>

namespace keyroll::base {
namespace {

struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;

BioPtr ReadOnlyBio(std::string_view pem) { return BioPtr(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()))); }

}  // namespace

std::vector<X509Ptr> CertificatesFromPem(std::string_view pem) {
  std::vector<X509Ptr> out;
  BioPtr bio = ReadOnlyBio(pem);
  if (!bio) return out;
  while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) out.emplace_back(cert);
  ERR_clear_error();  // reading past the last certificate leaves "no start line" queued
  return out;
}

X509Ptr CertificateFromPem(std::string_view pem) {
  BioPtr bio = ReadOnlyBio(pem);
  X509Ptr cert(bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  ERR_clear_error();
  return cert;
}

int AddCertificatesFromPem(X509_STORE* store, std::string_view pem) {
  int added = 0;
  for (const X509Ptr& cert : CertificatesFromPem(pem)) added += X509_STORE_add_cert(store, cert.get()) == 1 ? 1 : 0;
  return added;
}

PkeyPtr PrivateKeyFromPem(std::string_view pem) {
  BioPtr bio = ReadOnlyBio(pem);
  PkeyPtr key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  ERR_clear_error();
  return key;
}

}  // namespace keyroll::base
