// kubeconfig: the files a client needs to reach the fake: a kubeconfig (cluster "fake",
// context "fake", a token user) and the --state-dir layout (ca.crt, tls.crt, tls.key, port,
// kubeconfig, admin-token).
#pragma once

#include <string>

#include "tests/fakes/common/tls_cert.h"

namespace keyroll::fakes {

// server: https://127.0.0.1:PORT (or http://...); ca_pem empty for plain HTTP.
std::string KubeconfigText(const std::string& server, const std::string& ca_pem,
                           const std::string& user, const std::string& token);

void WriteStateDir(const std::string& dir, const TlsMaterial* tls, int port,
                   const std::string& kubeconfig, const std::string& admin_token);

}  // namespace keyroll::fakes
