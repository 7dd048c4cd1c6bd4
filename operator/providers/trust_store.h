// trust_store: the certificates a provider HTTPS client trusts, parsed once and shared.
// Parsing the system bundle (/etc/ssl/certs/ca-certificates.crt, ~140 certificates) costs
// ~33 ms of CPU; a fresh client per call (http_endpoint.h) must not pay it every time.
//  - No custom CA: the system trust store (the default file, SSL_CERT_FILE honoured), parsed
//    once per process, plus OpenSSL's hashed default directory (SSL_CERT_DIR honoured).
//  - A custom CA (--provider-ca-file or inline PEM): the system trust store PLUS the custom
//    certificates — it is an extra CA, not a replacement (what keyroll always did: cpp-httplib
//    0.11.4 added the default paths to any store it was given). One store per distinct PEM
//    text; the file itself is re-read by the caller for every client, since it may rotate.
// OpenSSL stores are reference counted and safe to share between SSL contexts and threads.
#pragma once

#include <openssl/x509_vfy.h>

#include <string>

namespace keyroll::providers {

// A new reference to the shared store for `custom_pem` ("" = system only), for
// SSL_CTX_set_cert_store (which takes the reference over); nullptr when `custom_pem` holds
// no PEM certificate.
X509_STORE* SharedTrustStore(const std::string& custom_pem);

// The hashed certificate directory every shared store looks up lazily; pass it to
// httplib's set_ca_cert_path("", dir) so that it does not load the default paths into the
// shared store again (cpp-httplib does that when given neither a file nor a directory).
const std::string& TrustStoreDirectory();

// How many times a bundle was parsed (system and custom), for tests and benchmarks.
int TrustStoreParses();

}  // namespace keyroll::providers
