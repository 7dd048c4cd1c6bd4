// exec_credential: run a kubeconfig exec credential plugin (client.authentication.k8s.io
// v1/v1beta1) and parse the ExecCredential it prints: a token or a client certificate,
// with an optional expiry.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "operator/kube/config.h"

namespace keyroll::kube {

struct ExecCredential {
  std::string token;
  std::string client_cert_pem;
  std::string client_key_pem;
  std::optional<std::chrono::system_clock::time_point> expiry;
};

// Parses the plugin's stdout. Errors never quote the output (it holds credentials).
Result<ExecCredential> ParseExecCredential(const std::string& stdout_text,
                                           const std::string& expected_api_version);

// Runs the plugin (with KUBERNETES_EXEC_INFO set) and parses what it prints.
// `server`/`ca_pem` are passed as spec.cluster when provideClusterInfo is set.
Result<ExecCredential> RunExecPlugin(const ExecConfig& exec, const std::string& server,
                                     const std::string& ca_pem,
                                     std::chrono::seconds timeout = std::chrono::seconds(30));

// RFC 3339 ("2026-11-22T03:07:45Z", fractions and offsets allowed).
std::optional<std::chrono::system_clock::time_point> ParseRfc3339(const std::string& text);

}  // namespace keyroll::kube
