// secret_readers.cpp — see secret_readers.h.
#include "operator/controller/secret_readers.h"

#include "operator/kube/client.h"
#include "operator/rotation/discovery.h"

namespace keyroll::controller {

void SecretReaders::Upsert(const nlohmann::json& deployment) {
  const std::string ns = kube::NamespaceOf(deployment), name = kube::NameOf(deployment);
  std::vector<std::string> secrets = rotation::SecretsReadBy(deployment);
  std::lock_guard lock(mu_);
  RemoveLocked(ns, name);
  for (const auto& s : secrets) readers_[ns + "/" + s].insert(name);
  if (!secrets.empty()) reads_[ns + "/" + name] = std::move(secrets);
}

void SecretReaders::Remove(const nlohmann::json& deployment) {
  std::lock_guard lock(mu_);
  RemoveLocked(kube::NamespaceOf(deployment), kube::NameOf(deployment));
}

void SecretReaders::RemoveLocked(const std::string& ns, const std::string& name) {
  auto it = reads_.find(ns + "/" + name);
  if (it == reads_.end()) return;
  for (const auto& s : it->second) {
    auto r = readers_.find(ns + "/" + s);
    if (r == readers_.end()) continue;
    r->second.erase(name);
    if (r->second.empty()) readers_.erase(r);
  }
  reads_.erase(it);
}

std::vector<std::string> SecretReaders::ReadersOf(const std::string& ns, const std::string& secret) const {
  std::lock_guard lock(mu_);
  auto it = readers_.find(ns + "/" + secret);
  if (it == readers_.end()) return {};
  return {it->second.begin(), it->second.end()};
}

}  // namespace keyroll::controller
