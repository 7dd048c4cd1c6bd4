// factory.cpp — see factory.h.
#include "operator/providers/qstash/factory.h"

#include "operator/providers/qstash/client.h"

namespace keyroll::providers::qstash {

namespace {

class Factory final : public ProviderFactory {
 public:
  std::string Name() const override { return "qstash"; }
  bool Handles(const rotation::Provider& spec) const override {
    return std::holds_alternative<rotation::QStashProvider>(spec);
  }
  std::vector<std::string> CredentialSecrets(const rotation::Provider& spec) const override {
    return {std::get<rotation::QStashProvider>(spec).token_secret_ref.name};
  }
  Result<std::shared_ptr<Provider>> Connect(const rotation::Provider& spec, const SecretReader& read,
                                            const ClientSettings& settings) override {
    const auto& qstash = std::get<rotation::QStashProvider>(spec);
    const auto& ref = qstash.token_secret_ref;
    auto secret = read("token", ref.name);
    if (!secret) return secret.error();
    auto token = RequiredEntry(*secret, "token", ref.name, ref.key);
    if (!token) return token.error();
    ClientOptions o;
    o.url = qstash.url;
    o.token = std::move(token.value());
    ApplySettings(o, settings, qstash.ca_bundle, Name());
    auto created = Client::Create(std::move(o));
    if (!created) return created.error();
    return std::shared_ptr<Provider>(std::move(created.value()));
  }
};

}  // namespace

std::unique_ptr<ProviderFactory> MakeFactory() { return std::make_unique<Factory>(); }

}  // namespace keyroll::providers::qstash
