// pem: X.509 certificates and private keys from PEM text, owned by smart pointers. The
// Kubernetes transport, the providers' trust store and Auth0's certificates all load here.
#pragma once

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>
#include <string_view>
#include <vector>

namespace keyroll::base {

struct X509Free {
  void operator()(X509* cert) const { X509_free(cert); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

// Every certificate in `pem`, in order; empty when there is none (or the text is not PEM).
std::vector<X509Ptr> CertificatesFromPem(std::string_view pem);
// The first certificate in `pem`, or null.
X509Ptr CertificateFromPem(std::string_view pem);
// Adds every certificate in `pem` to `store`; the number added (0: none, or not PEM).
int AddCertificatesFromPem(X509_STORE* store, std::string_view pem);
// The first private key in `pem` (any algorithm, unencrypted), or null.
PkeyPtr PrivateKeyFromPem(std::string_view pem);

}  // namespace keyroll::base
