#include "tests/support/e2e_secrecy.h"

#include "operator/base/encoding.h"

namespace keyroll::testing {

SecrecyScanner::SecrecyScanner(std::vector<std::string> secrets) : secrets_(std::move(secrets)) {}

std::vector<std::string> SecrecyScanner::Scan(const std::string& where, const std::string& text) const {
  std::vector<std::string> out;
  for (size_t i = 0; i < secrets_.size(); ++i) {
    const std::string& s = secrets_[i];
    if (s.size() < 8) continue;  // too short to be a real secret; would match by chance
    if (text.find(s) != std::string::npos) out.push_back(where + ": secret #" + std::to_string(i));
    std::string b64 = base::Base64Encode(s);
    // Without the padding, the encoding is a stable prefix wherever the value starts aligned.
    while (!b64.empty() && b64.back() == '=') b64.pop_back();
    if (text.find(b64) != std::string::npos) out.push_back(where + ": secret #" + std::to_string(i) + " (base64)");
  }
  return out;
}

std::vector<std::string> SecrecyScanner::ScanNamespace(kube::Client& client, const std::string& ns) const {
  std::vector<std::string> out;
  const std::pair<const kube::ResourceRef*, const char*> kinds[] = {
      {&kube::resources::kEvents, "events"},
      {&kube::resources::kSigningKeyRotations, "signingkeyrotations"},
      {&kube::resources::kDeployments, "deployments"},
      {&kube::resources::kConfigMaps, "configmaps"}};
  for (const auto& [ref, label] : kinds) {
    auto list = client.ListAll(*ref, ns);
    if (!list) {
      out.push_back(std::string(label) + ": cannot list: " + list.error().ToString());
      continue;
    }
    for (const auto& item : list->items) {
      auto found = Scan(std::string(label) + "/" + kube::NameOf(item), item.dump());
      out.insert(out.end(), found.begin(), found.end());
    }
  }
  return out;
}

}  // namespace keyroll::testing
