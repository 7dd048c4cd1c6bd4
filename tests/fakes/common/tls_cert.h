// tls_cert: a throwaway certificate authority and a server certificate signed by it,
// generated with OpenSSL at start-up, so fakes serve real TLS that clients verify.
#pragma once

#include <string>

namespace keyroll::fakes {

struct TlsMaterial {
  std::string ca_cert_pem;      // what a client trusts (kubeconfig certificate-authority-data)
  std::string server_cert_pem;  // SANs: localhost, 127.0.0.1, ::1 plus extra_dns_names
  std::string server_key_pem;
};

// Generates an EC P-256 CA and a server certificate valid for one day.
// Throws std::runtime_error when OpenSSL fails.
TlsMaterial GenerateTlsMaterial(const std::string& common_name,
                                const std::string& extra_dns_names = "");

// Writes ca.crt, tls.crt and tls.key into dir (created if missing); returns dir.
std::string WriteTlsMaterial(const TlsMaterial& material, const std::string& dir);

}  // namespace keyroll::fakes
