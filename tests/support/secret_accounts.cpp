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

// The account `skr`'s credential opens; "" and *why when it cannot be told.
std::string AccountOf(kube::Client& client, const json& skr, std::string* why) {
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
  auto secret = client.Get(kube::resources::kSecrets, ns, name);
  const std::string value = secret ? Field(*secret, {"data", key}) : "";
  auto token = base::Base64Decode(value);
  if (!token || token->empty()) {
    *why = "credential Secret " + ns + "/" + name + " (key " + key + ") is gone";
    return "";
  }
  return fakes::CredentialAccountId(*token);
}

}  // namespace

std::string TargetSecretAccounts(kube::Client& client, const std::string& ns) {
  kube::ListOptions managed;
  managed.label_selector = "app.kubernetes.io/managed-by=keyroll";
  auto secrets = client.ListAll(kube::resources::kSecrets, ns, managed);
  auto skrs = client.ListAll(kube::resources::kSigningKeyRotations, ns);
  if (!secrets || !skrs) return "";
  std::map<std::pair<std::string, std::string>, const json*> by_name;
  for (const auto& s : skrs->items) by_name[{kube::NamespaceOf(s), kube::NameOf(s)}] = &s;
  std::string text;
  for (const auto& s : secrets->items) {
    const std::string resource = Field(s, {"metadata", "annotations", "keyroll.dev/owner"});
    json line = {{"uid", Field(s, {"metadata", "uid"})}, {"namespace", kube::NamespaceOf(s)},
                 {"name", kube::NameOf(s)}, {"resource", resource}};
    std::string why;
    auto it = by_name.find({kube::NamespaceOf(s), resource});
    if (it == by_name.end()) why = "its SigningKeyRotation \"" + resource + "\" is gone";
    line["account"] = it == by_name.end() ? "" : AccountOf(client, *it->second, &why);
    if (!why.empty()) line["why"] = why;
    text += line.dump() + "\n";
  }
  return text;
}

}  // namespace keyroll::testing
