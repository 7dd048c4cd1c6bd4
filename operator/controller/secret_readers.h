// secret_readers: which workloads (Deployments, StatefulSets, DaemonSets) read which Secret
// (rotation::SecretsReadBy on the cached projection), per namespace, kept up to date by the
// workload informers' events, so that discovering a resource's consumers looks up its target
// Secret instead of going through every workload of the namespace on each reconcile. Holds
// names only.
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

#include "operator/rotation/workload.h"

namespace keyroll::controller {

struct WorkloadName {
  rotation::WorkloadKind kind;
  std::string name;
  bool operator==(const WorkloadName&) const = default;
};

class SecretReaders {
 public:
  void Add(rotation::WorkloadKind kind, const nlohmann::json& workload);
  void Update(rotation::WorkloadKind kind, const nlohmann::json& old_workload, const nlohmann::json& new_workload);
  void Remove(rotation::WorkloadKind kind, const nlohmann::json& workload);
  // The workloads in `ns` whose pod template reads `secret`, sorted by kind, then name.
  std::vector<WorkloadName> ReadersOf(const std::string& ns, const std::string& secret) const;

 private:
  mutable std::mutex mu_;
  std::set<std::string> pairs_;  // "ns \0 secret \0 kind-digit name" (names hold no NUL)
};

}  // namespace keyroll::controller
