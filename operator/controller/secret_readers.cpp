// secret_readers.cpp — see secret_readers.h.
#include "operator/controller/secret_readers.h"

#include <algorithm>

#include "operator/kube/client.h"
#include "operator/rotation/discovery.h"

namespace keyroll::controller {
namespace {

std::string Prefix(const std::string& ns, const std::string& secret) {
  std::string p = ns;
  p += '\0';
  p += secret;
  p += '\0';
  return p;
}

// The (Secret, reader) pairs of one Deployment, sorted and unique.
std::vector<std::string> PairsOf(const nlohmann::json& deployment) {
  const std::string ns = kube::NamespaceOf(deployment), name = kube::NameOf(deployment);
  std::vector<std::string> pairs;
  for (const auto& secret : rotation::SecretsReadBy(deployment)) pairs.push_back(Prefix(ns, secret) + name);
  std::sort(pairs.begin(), pairs.end());
  pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());
  return pairs;
}

}  // namespace

void SecretReaders::Add(const nlohmann::json& deployment) {
  std::vector<std::string> pairs = PairsOf(deployment);
  std::lock_guard lock(mu_);
  for (auto& p : pairs) pairs_.insert(std::move(p));
}

void SecretReaders::Update(const nlohmann::json& old_deployment, const nlohmann::json& new_deployment) {
  std::vector<std::string> before = PairsOf(old_deployment), after = PairsOf(new_deployment);
  if (before == after) return;  // most updates (status, replicas) change no Secret read
  std::lock_guard lock(mu_);
  for (const auto& p : before) pairs_.erase(p);
  for (auto& p : after) pairs_.insert(std::move(p));
}

void SecretReaders::Remove(const nlohmann::json& deployment) {
  std::vector<std::string> pairs = PairsOf(deployment);
  std::lock_guard lock(mu_);
  for (const auto& p : pairs) pairs_.erase(p);
}

std::vector<std::string> SecretReaders::ReadersOf(const std::string& ns, const std::string& secret) const {
  const std::string prefix = Prefix(ns, secret);
  std::vector<std::string> out;
  std::lock_guard lock(mu_);
  for (auto it = pairs_.lower_bound(prefix); it != pairs_.end() && it->compare(0, prefix.size(), prefix) == 0; ++it)
    out.push_back(it->substr(prefix.size()));
  return out;
}

}  // namespace keyroll::controller
