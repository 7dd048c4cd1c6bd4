// secret_readers: which Deployments read which Secret (rotation::SecretsReadBy on the cached
// projection), per namespace, kept up to date by the Deployment informer's events, so that
// discovering a resource's consumers looks up its target Secret instead of going through
// every Deployment of the namespace on each reconcile. Holds names only.
#pragma once

#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace keyroll::controller {

class SecretReaders {
 public:
  void Upsert(const nlohmann::json& deployment);
  void Remove(const nlohmann::json& deployment);
  // Names of the Deployments in `ns` whose pod template reads `secret`, sorted.
  std::vector<std::string> ReadersOf(const std::string& ns, const std::string& secret) const;

 private:
  void RemoveLocked(const std::string& ns, const std::string& name);

  mutable std::mutex mu_;
  std::map<std::string, std::vector<std::string>> reads_;       // "ns/name" -> Secrets it reads
  std::map<std::string, std::set<std::string>> readers_;        // "ns/secret" -> Deployment names
};

}  // namespace keyroll::controller
