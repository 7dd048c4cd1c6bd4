// base64: standard base64 decoding for kubeconfig *-data fields and ExecCredential data.
#pragma once

#include <optional>
#include <string>

namespace keyroll::kube {

// Decodes standard base64 (whitespace ignored, '=' padding optional); nullopt if invalid.
std::optional<std::string> DecodeBase64(const std::string& text);
std::string EncodeBase64(const std::string& bytes);

}  // namespace keyroll::kube
