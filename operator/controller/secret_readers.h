// secret_readers: which Deployments read which Secret (rotation::SecretsReadBy on the cached
// projection), per namespace, kept up to date by the Deployment informer's events, so that
// discovering a resource's consumers looks up its target Secret instead of going through
// every Deployment of the namespace on each reconcile. Holds names only.
//
// The informer hands over the cached object before a change, so what an object read is
// computed again from it rather than remembered: one set entry per (Secret, reader) pair is
// all that is kept (20,000 Deployments: ~2.5 MB, not ~6).
#pragma once

#include <mutex>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace keyroll::controller {

class SecretReaders {
 public:
  void Add(const nlohmann::json& deployment);
  void Update(const nlohmann::json& old_deployment, const nlohmann::json& new_deployment);
  void Remove(const nlohmann::json& deployment);
  // Names of the Deployments in `ns` whose pod template reads `secret`, sorted.
  std::vector<std::string> ReadersOf(const std::string& ns, const std::string& secret) const;

 private:
  mutable std::mutex mu_;
  std::set<std::string> pairs_;  // "ns \0 secret \0 deployment" (names hold no NUL)
};

}  // namespace keyroll::controller
