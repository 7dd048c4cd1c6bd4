// access_control: bearer-token authentication and RBAC-like authorization. Tokens map to
// users; each user has PolicyRules shaped like RBAC's (apiGroups, resources such as
// "secrets" or "deployments/status", verbs, plus an optional namespaces list). "*" matches
// anything. Rules load from JSON or YAML: {users: {NAME: {rules: [...]}}}.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace keyroll::fakes {

struct PolicyRule {
  std::vector<std::string> api_groups;
  std::vector<std::string> resources;
  std::vector<std::string> verbs;
  std::vector<std::string> namespaces;  // empty: every namespace and the cluster scope
};

struct AccessRequest {
  std::string verb;         // get list watch create update patch delete deletecollection
  std::string group;
  std::string resource;     // plural
  std::string subresource;  // "status" or ""
  std::string ns;           // "" for cluster-scoped or all-namespace requests
};

class AccessControl {
 public:
  void AddToken(const std::string& token, const std::string& user);
  void SetRules(const std::string& user, std::vector<PolicyRule> rules);
  void AllowAll(const std::string& user);
  std::optional<std::string> UserForToken(const std::string& token) const;
  bool Allowed(const std::string& user, const AccessRequest& request) const;
  // Reads {users: {NAME: {rules: [...]}}}; throws std::runtime_error on a malformed file.
  void LoadRules(const nlohmann::json& document);

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::string> users_by_token_;
  std::map<std::string, std::vector<PolicyRule>> rules_;
};

}  // namespace keyroll::fakes
