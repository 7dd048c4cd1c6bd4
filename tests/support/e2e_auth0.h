// e2e_auth0: an Auth0 tenant for end-to-end tests — the in-process Auth0 fake over TLS with
// one machine-to-machine client holding every signing-key scope, its client Secret ("auth0",
// keys AUTH0_CLIENT_ID / AUTH0_CLIENT_SECRET) in the test namespace, SigningKeyRotation
// manifests that trust the fake's CA through spec.provider.auth0.caBundle, and the checks
// the scenarios share: does the Secret hold the tenant's keys (certificates as canonical PEM,
// jwks.json listing exactly current, next and the unrevoked previous key). The consumer gate of
// its rotations and revocations is judged from the API server's write journal, by the intents
// keyroll records there (KEYROLL_EXPECT_GATE_HELD, KEYROLL_EXPECT_REVOCATION_GATE_HELD), against
// the counts in state().
#pragma once

#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "operator/kube/client.h"
#include "tests/fakes/auth0/fake_auth0.h"

namespace keyroll::testing {

using nlohmann::json;

class Auth0Tenant {
 public:
  // Starts the fake and creates the client Secret in `ns`.
  Auth0Tenant(kube::Client& kube, const std::string& ns);
  ~Auth0Tenant();

  fakes::FakeAuth0& fake() { return *fake_; }
  const fakes::FakeAuth0Client& client() const { return client_; }
  fakes::FakeAuth0State state() const { return fake_->State(); }
  // A client with only these scopes, and a Secret `secret_name` holding it.
  fakes::FakeAuth0Client AddClientSecret(const std::string& secret_name, const std::vector<std::string>& scopes);

  // A resource for the tenant (client Secret "auth0" unless told; refresh 10s; minInterval 0s).
  json MakeSkr(const std::string& name, const std::string& secret_name, const std::vector<std::string>& consumers,
               const std::string& client_secret_name = "auth0") const;

  // The certificate of kid as keyroll writes it: PEM with "\n" line ends.
  std::string CanonicalCert(const std::string& kid) const;
  // rotation::KeysHash of the tenant's current and next certificates (canonical PEM).
  std::string KeysHash() const;
  // The kids jwks.json in `data` lists ({} when it is missing or not a JWKS).
  static std::set<std::string> JwksKids(const std::map<std::string, std::string>& data);
  // data holds the tenant's current/next certificates and a JWKS of exactly current, next
  // and (unless revoked) previous. "" when it does; else what differs (no key material).
  std::string SecretDiff(const std::optional<std::map<std::string, std::string>>& data) const;

  // Client secrets, management tokens, the admin token and private keys, plus each body line
  // of every PEM among them (a partly printed key is a leak too).
  std::vector<std::string> AllSecrets() const;

 private:
  std::unique_ptr<fakes::FakeAuth0> fake_;
  fakes::FakeAuth0Client client_;
  kube::Client& kube_;
  std::string ns_;
};

}  // namespace keyroll::testing
