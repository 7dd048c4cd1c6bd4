// registry.cpp — see registry.h.
#include "operator/providers/registry.h"

namespace keyroll::providers {

Result<SecretValue> RequiredEntry(const SecretData& data, const std::string& what, const std::string& secret,
                                  const std::string& key) {
  auto it = data.find(key);
  std::string value = it == data.end() ? std::string() : it->second.reveal();
  while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.pop_back();
  if (value.empty())
    return ProviderError{ErrorKind::kCredentials, what + " Secret \"" + secret + "\" has no (valid) key \"" + key + "\"",
                         0, std::nullopt};
  return SecretValue(std::move(value));
}

void Registry::Add(std::unique_ptr<ProviderFactory> factory) { factories_.push_back(std::move(factory)); }

Result<std::shared_ptr<Provider>> Registry::Connect(const rotation::Provider& spec, const SecretReader& read,
                                                    const ClientSettings& settings) const {
  for (const auto& f : factories_)
    if (f->Handles(spec)) return f->Connect(spec, read, settings);
  return ProviderError{ErrorKind::kBadConfig, "no provider in the spec", 0, std::nullopt};
}

std::vector<std::string> Registry::CredentialSecrets(const rotation::Provider& spec) const {
  for (const auto& f : factories_)
    if (f->Handles(spec)) return f->CredentialSecrets(spec);
  return {};
}

std::vector<std::string> Registry::Names() const {
  std::vector<std::string> out;
  for (const auto& f : factories_) out.push_back(f->Name());
  return out;
}

}  // namespace keyroll::providers
