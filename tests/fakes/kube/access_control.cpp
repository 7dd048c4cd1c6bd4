#include "tests/fakes/kube/access_control.h"

#include "tests/fakes/common/secrets_ledger.h"

#include <algorithm>
#include <stdexcept>

namespace keyroll::fakes {
namespace {

bool Has(const std::vector<std::string>& list, const std::string& value) {
  return std::find(list.begin(), list.end(), "*") != list.end() ||
         std::find(list.begin(), list.end(), value) != list.end();
}

std::vector<std::string> Strings(const nlohmann::json& rule, const char* key) {
  if (!rule.contains(key)) return {};
  if (!rule[key].is_array()) throw std::runtime_error(std::string("authz: ") + key + " must be a list");
  std::vector<std::string> out;
  for (const auto& v : rule[key]) {
    if (!v.is_string()) throw std::runtime_error(std::string("authz: ") + key + " must hold strings");
    out.push_back(v.get<std::string>());
  }
  return out;
}

}  // namespace

void AccessControl::AddToken(const std::string& token, const std::string& user) {
  RecordIssuedSecrets({token});  // every bearer token, keyroll's too, for the secrecy scan
  std::lock_guard<std::mutex> lock(mu_);
  users_by_token_[token] = user;
}

void AccessControl::SetRules(const std::string& user, std::vector<PolicyRule> rules) {
  std::lock_guard<std::mutex> lock(mu_);
  rules_[user] = std::move(rules);
}

void AccessControl::AllowAll(const std::string& user) {
  SetRules(user, {PolicyRule{{"*"}, {"*"}, {"*"}, {}}});
}

std::optional<std::string> AccessControl::UserForToken(const std::string& token) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = users_by_token_.find(token);
  if (it == users_by_token_.end()) return std::nullopt;
  return it->second;
}

bool AccessControl::Allowed(const std::string& user, const AccessRequest& r) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = rules_.find(user);
  if (it == rules_.end()) return false;
  std::string resource = r.subresource.empty() ? r.resource : r.resource + "/" + r.subresource;
  for (const auto& rule : it->second) {
    if (!Has(rule.api_groups, r.group) || !Has(rule.resources, resource) || !Has(rule.verbs, r.verb)) {
      continue;
    }
    if (!rule.namespaces.empty() && (r.ns.empty() || !Has(rule.namespaces, r.ns))) continue;
    return true;
  }
  return false;
}

void AccessControl::LoadRules(const nlohmann::json& document) {
  if (!document.is_object() || !document.contains("users") || !document["users"].is_object()) {
    throw std::runtime_error("authz: expected {users: {NAME: {rules: [...]}}}");
  }
  for (const auto& [user, spec] : document["users"].items()) {
    std::vector<PolicyRule> rules;
    if (!spec.is_object()) throw std::runtime_error("authz: user " + user + " must be a map");
    for (const auto& rule : spec.value("rules", nlohmann::json::array())) {
      rules.push_back({Strings(rule, "apiGroups"), Strings(rule, "resources"),
                       Strings(rule, "verbs"), Strings(rule, "namespaces")});
    }
    SetRules(user, std::move(rules));
  }
}

}  // namespace keyroll::fakes
