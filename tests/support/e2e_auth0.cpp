#include "tests/support/e2e_auth0.h"

#include "operator/base/fingerprint.h"
#include "tests/support/e2e_objects.h"

namespace keyroll::testing {
namespace {

std::string WithoutCarriageReturns(std::string pem) {
  std::string out;
  for (char c : pem)
    if (c != '\r') out += c;
  return out;
}

}  // namespace

Auth0Tenant::Auth0Tenant(kube::Client& kube, const std::string& ns) : kube_(kube), ns_(ns) {
  fakes::FakeAuth0Options o;
  o.key_bank_dir = std::string(KEYROLL_BINARY_DIR) + "/fake-auth0-key-bank";  // RSA keys made once
  fake_ = std::make_unique<fakes::FakeAuth0>(o);
  fake_->Start();
  client_ = AddClientSecret("auth0", fakes::kAllSigningKeyScopes);
}

Auth0Tenant::~Auth0Tenant() {
  if (fake_) fake_->Stop();
}

fakes::FakeAuth0Client Auth0Tenant::AddClientSecret(const std::string& secret_name,
                                                    const std::vector<std::string>& scopes) {
  auto c = fake_->AddClient("", "", scopes);
  CreateObject(kube_, kube::resources::kSecrets, ns_,
               {{"apiVersion", "v1"}, {"kind", "Secret"}, {"metadata", {{"name", secret_name}}}, {"type", "Opaque"},
                {"stringData", {{"AUTH0_CLIENT_ID", c.client_id}, {"AUTH0_CLIENT_SECRET", c.client_secret}}}});
  return c;
}

json Auth0Tenant::MakeSkr(const std::string& name, const std::string& secret_name,
                          const std::vector<std::string>& consumers, const std::string& client_secret_name) const {
  json deployments = json::array();
  for (const auto& c : consumers) deployments.push_back({{"name", c}});
  return {{"apiVersion", "keyroll.dev/v1alpha1"}, {"kind", "SigningKeyRotation"},
          {"metadata", {{"name", name}}},
          {"spec", {{"provider", {{"auth0", {{"domain", fake_->domain()},
                                             {"clientSecretRef", {{"name", client_secret_name}}},
                                             {"caBundle", fake_->ca_cert_pem()}}}}},
                    {"target", {{"secretName", secret_name}}},
                    {"refreshInterval", "10s"},
                    {"rotation", {{"minInterval", "0s"}}},
                    {"consumers", {{"deployments", deployments}, {"discover", true}}}}}};
}

std::vector<std::string> Auth0Tenant::AllSecrets() const {
  std::vector<std::string> out = fake_->AllSecrets();
  const std::size_t whole = out.size();
  for (std::size_t i = 0; i < whole; ++i) {
    if (out[i].find("-----BEGIN") == std::string::npos) continue;
    std::string line;
    for (char c : out[i] + "\n") {
      if (c == '\n' || c == '\r') {
        if (line.size() >= 32 && line.find("-----") == std::string::npos) out.push_back(line);
        line.clear();
      } else {
        line += c;
      }
    }
  }
  return out;
}

std::string Auth0Tenant::CanonicalCert(const std::string& kid) const {
  for (const auto& k : fake_->Keys())
    if (k.kid == kid) return WithoutCarriageReturns(k.cert_pem);
  return "";
}

std::string Auth0Tenant::KeysHash() const {
  auto s = fake_->State();
  return base::KeysHash(CanonicalCert(s.current_kid), CanonicalCert(s.next_kid));
}

std::set<std::string> Auth0Tenant::JwksKids(const std::map<std::string, std::string>& data) {
  std::set<std::string> kids;
  auto it = data.find("jwks.json");
  if (it == data.end()) return kids;
  json doc = json::parse(it->second, nullptr, false);
  if (!doc.is_object() || !doc.contains("keys") || !doc["keys"].is_array()) return kids;
  for (const auto& k : doc["keys"])
    if (k.is_object() && k.contains("kid") && k["kid"].is_string()) kids.insert(k["kid"].get<std::string>());
  return kids;
}

std::string Auth0Tenant::SecretDiff(const std::optional<std::map<std::string, std::string>>& data) const {
  if (!data) return "the Secret does not exist";
  auto s = fake_->State();
  std::string diff;
  auto value = [&](const char* key) {
    auto it = data->find(key);
    return it == data->end() ? std::string() : it->second;
  };
  if (value("AUTH0_CURRENT_SIGNING_CERT") != CanonicalCert(s.current_kid)) diff += "current certificate differs; ";
  if (value("AUTH0_NEXT_SIGNING_CERT") != CanonicalCert(s.next_kid)) diff += "next certificate differs; ";
  std::set<std::string> want{s.current_kid, s.next_kid};
  if (!s.previous_kid.empty()) want.insert(s.previous_kid);
  if (JwksKids(*data) != want) {
    diff += "jwks.json lists [";
    for (const auto& k : JwksKids(*data)) diff += k + " ";
    diff += "], the tenant has [";
    for (const auto& k : want) diff += k + " ";
    diff += "]";
  }
  return diff;
}

}  // namespace keyroll::testing
