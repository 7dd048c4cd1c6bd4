#include "tests/support/secret_accounts.h"

#include <map>

#include "operator/base/encoding.h"
#include "tests/fakes/common/secrets_ledger.h"

namespace keyroll::testing {
namespace {

using nlohmann::json;

std::string Field(const json& o, const std::vector<std::string>& path) {
  const json* at = &o;
  for (const auto& p : path) {
    if (!at->is_object() || !at->contains(p)) return "";
    at = &(*at)[p];
  }
  return at->is_string() ? at->get<std::string>() : "";
}

// Objects by (namespace, name).
using ByName = std::map<std::pair<std::string, std::string>, const json*>;

// The account `skr`'s credential opens; "" and *why when it cannot be told. The credential
// Secret from `secrets` (one list for all), else read (another namespace than the scope).
std::string AccountOf(kube::Client& client, const ByName& secrets, const json& skr, std::string* why) {
  const json provider = skr.value("spec", json::object()).value("provider", json::object());
  if (provider.contains("auth0")) return "auth0:" + Field(provider, {"auth0", "domain"});
  if (!provider.contains("qstash")) {
    *why = "no provider this scan knows";
    return "";
  }
  std::string ns = Field(provider, {"qstash", "tokenSecretRef", "namespace"});
  if (ns.empty()) ns = kube::NamespaceOf(skr);
  const std::string name = Field(provider, {"qstash", "tokenSecretRef", "name"});
  std::string key = Field(provider, {"qstash", "tokenSecretRef", "key"});
  if (key.empty()) key = "QSTASH_TOKEN";  // the CRD's default
  std::string value;
  if (auto it = secrets.find({ns, name}); it != secrets.end()) {
    value = Field(*it->second, {"data", key});
  } else if (auto secret = client.Get(kube::resources::kSecrets, ns, name)) {
    value = Field(*secret, {"data", key});
  }
  auto token = base::Base64Decode(value);
  if (!token || token->empty()) {
    *why = "credential Secret " + ns + "/" + name + " (key " + key + ") is gone";
    return "";
  }
  return fakes::CredentialAccountId(*token);
}

}  // namespace

std::string TargetSecretAccounts(kube::Client& client, const std::string& ns) {
  auto secrets = client.ListAll(kube::resources::kSecrets, ns);
  auto skrs = client.ListAll(kube::resources::kSigningKeyRotations, ns);
  if (!secrets || !skrs) return "";
  ByName by_name;
  for (const auto& s : skrs->items) by_name[{kube::NamespaceOf(s), kube::NameOf(s)}] = &s;
  ByName secrets_by_name;
  for (const auto& s : secrets->items) secrets_by_name[{kube::NamespaceOf(s), kube::NameOf(s)}] = &s;
  std::string text;
  for (const auto& s : secrets->items) {
    if (Field(s, {"metadata", "labels", "app.kubernetes.io/managed-by"}) != "keyroll") continue;
    const std::string resource = Field(s, {"metadata", "annotations", "keyroll.dev/owner"});
    json line = {{"uid", Field(s, {"metadata", "uid"})}, {"namespace", kube::NamespaceOf(s)},
                 {"name", kube::NameOf(s)}, {"resource", resource}};
    std::string why;
    auto it = by_name.find({kube::NamespaceOf(s), resource});
    if (it == by_name.end()) why = "its SigningKeyRotation \"" + resource + "\" is gone";
    line["account"] = it == by_name.end() ? "" : AccountOf(client, secrets_by_name, *it->second, &why);
    if (!why.empty()) line["why"] = why;
    text += line.dump() + "\n";
  }
  return text;
}

}  // namespace keyroll::testing
