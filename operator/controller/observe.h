// observe: assembles rotation::Observed for one SigningKeyRotation from the caches (with
// read-your-writes), the target Secret (a GET when the cache does not hold it: a Secret
// keyroll does not manage yet, e.g. a pre-existing one, is not labelled), the consumer
// workloads (declared by kind and name or selector, plus discovered readers of the Secret,
// de-duplicated), the provider's latest known read and the account-conflict check.
#pragma once

#include <array>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "operator/controller/fresh_reader.h"
#include "operator/controller/provider_cache.h"
#include "operator/controller/resource_index.h"
#include "operator/controller/secret_readers.h"
#include "operator/rotation/decide.h"
#include "operator/kube/client.h"
#include "operator/rotation/observed.h"

namespace keyroll::controller {

// A failed API read during observation (the reconcile backs off). Message is safe to log.
struct ObserveError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Observation {
  rotation::Observed observed;
  ProviderHandle provider;        // set when the spec is valid
  std::string secret_rv;          // the target Secret's resourceVersion ("" when missing)
  nlohmann::json resource;        // the resource as cached (projection), for status writes
  // The status as the API server has it, when a held one (HeldStatus, set by the reconciler)
  // stands in for it in `observed`.
  std::optional<rotation::Status> written_status;
};

struct ObserveSources {
  kube::Client& client;
  FreshReader& resources;
  FreshReader& secrets;
  // By rotation::WorkloadKind: each kind's reader and informer store.
  std::array<FreshReader*, rotation::kWorkloadKinds.size()> workloads;
  const kube::Store& resource_store;
  std::array<const kube::Store*, rotation::kWorkloadKinds.size()> workload_stores;
  ProviderCache& providers;
  ResourceIndex& index;
  const SecretReaders& secret_readers;
  rotation::Seconds pending_settle{rotation::kPendingSettle};
  // Whether the API server serves a kind (Argo Rollouts may not be installed); null: all are.
  std::function<bool(rotation::WorkloadKind)> kind_served;
  // Target Secrets ("ns/name") whose create found one already there (keyroll's cache holds
  // only the Secrets it labelled): read live once. Null: always read a Secret the cache lacks.
  std::function<bool(const std::string& key)> take_live_secret_check;
};

// nullopt when the resource does not exist. Throws ObserveError.
std::optional<Observation> Observe(const ObserveSources& sources, const std::string& ns, const std::string& name);

}  // namespace keyroll::controller
