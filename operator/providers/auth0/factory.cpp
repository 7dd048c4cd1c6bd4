// factory.cpp — see factory.h.
#include "operator/providers/auth0/factory.h"

#include <mutex>

#include "operator/base/crypto.h"
#include "operator/base/encoding.h"
#include "operator/providers/auth0/client.h"

namespace keyroll::providers::auth0 {

namespace {

class Factory final : public ProviderFactory {
 public:
  std::string Name() const override { return "auth0"; }
  bool Handles(const rotation::Provider& spec) const override {
    return std::holds_alternative<rotation::Auth0Provider>(spec);
  }
  std::vector<std::string> CredentialSecrets(const rotation::Provider& spec) const override {
    return {std::get<rotation::Auth0Provider>(spec).client_secret_ref.name};
  }
  Result<std::shared_ptr<Provider>> Connect(const rotation::Provider& spec, const SecretReader& read,
                                            const ClientSettings& settings) override {
    const auto& auth0 = std::get<rotation::Auth0Provider>(spec);
    const auto& ref = auth0.client_secret_ref;
    auto secret = read("client", ref.name);
    if (!secret) return secret.error();
    auto id = RequiredEntry(*secret, "client", ref.name, ref.client_id_key);
    if (!id) return id.error();
    auto client_secret = RequiredEntry(*secret, "client", ref.name, ref.client_secret_key);
    if (!client_secret) return client_secret.error();
    // The configuration's digest, never the secret itself, keys the kept client.
    const std::string config = base::HexLower(base::Sha256(auth0.domain + "\n" + auth0.audience + "\n" + auth0.ca_bundle +
                                                          "\n" + id->reveal() + "\n" + client_secret->reveal()));
    const auto now = std::chrono::steady_clock::now();
    {
      std::lock_guard lock(mu_);
      Sweep(now);
      if (auto it = clients_.find(config); it != clients_.end()) {
        it->second.used = now;
        return it->second.client;
      }
    }
    ClientOptions o;
    o.domain = auth0.domain;
    o.audience = auth0.audience;
    o.client_id = id->reveal();
    o.client_secret = std::move(client_secret.value());
    ApplySettings(o, settings, auth0.ca_bundle, Name());
    auto created = Client::Create(std::move(o));
    if (!created) return created.error();
    std::shared_ptr<Provider> client(std::move(created.value()));
    std::lock_guard lock(mu_);
    clients_[config] = {client, now};
    return client;
  }

 private:
  // A client unused this long is dropped (a resource is reconciled at least every
  // refreshInterval, at most 168h; the default 5m keeps its client).
  static constexpr std::chrono::minutes kKeep{30};
  struct Kept {
    std::shared_ptr<Provider> client;
    std::chrono::steady_clock::time_point used;
  };
  void Sweep(std::chrono::steady_clock::time_point now) {
    if (now - swept_ < std::chrono::minutes(1)) return;
    std::erase_if(clients_, [&](const auto& e) { return now - e.second.used >= kKeep; });
    swept_ = now;
  }
  std::mutex mu_;
  std::map<std::string, Kept> clients_;  // by configuration digest
  std::chrono::steady_clock::time_point swept_;
};

}  // namespace

std::unique_ptr<ProviderFactory> MakeFactory() { return std::make_unique<Factory>(); }

}  // namespace keyroll::providers::auth0
