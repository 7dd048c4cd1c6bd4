// informers: the controller's three caches and how their events become workqueue keys.
//  - SigningKeyRotations: an event queues that resource's key ("ns/name").
//  - Secrets labelled app.kubernetes.io/managed-by=keyroll: queue the owner (annotation
//    keyroll.dev/owner, or our ownerReference).
//  - Deployments, StatefulSets, DaemonSets, Jobs, CronJobs and Argo Rollouts (one informer per
//    kind, one projection; the Rollout one lists nothing and checks again every 10 s while
//    Argo Rollouts is not installed, so installing it later needs no restart): queue the
//    SigningKeyRotations that consume the workload, before and after the change
//    (resource_index.h), none when no resource consumes it.
// Token Secrets are not watched: the reconciler reads them with a GET when it needs them.
#pragma once

#include <array>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "operator/controller/resource_index.h"
#include "operator/controller/secret_readers.h"
#include "operator/kube/client.h"
#include "operator/kube/informer.h"
#include "operator/runtime/workqueue.h"

namespace keyroll::controller {

class Informers {
 public:
  // `watch_namespace` "" = all namespaces. `enqueue` is called on informer threads. Keys
  // queued because a consumer changed go to the urgent lane: a rollout completing needs no
  // provider answer, and must not wait behind first syncs or failing accounts.
  using Enqueue = std::function<void(const std::string& key, runtime::Lane lane)>;
  Informers(kube::Client& client, const std::string& watch_namespace, Enqueue enqueue);
  ~Informers();

  // Starts the resource informer first (the Secret projection reads it), then the others.
  void Start();
  void Stop();
  bool HasSynced() const;

  const kube::Store& resources() const { return resources_->store(); }
  const kube::Store& secrets() const { return secrets_->store(); }
  const kube::Store& workloads(rotation::WorkloadKind kind) const { return Workload(kind).store(); }
  // False while the API server does not serve the kind (Argo Rollouts not installed).
  bool Served(rotation::WorkloadKind kind) const { return Workload(kind).reflector().served(); }
  // Consumers and accounts of the cached resources (the reconciler records accounts in it).
  ResourceIndex& index() { return index_; }
  // Which cached workloads read which Secret (consumer discovery).
  const SecretReaders& secret_readers() const { return readers_; }
  // The projections the caches use (to project write answers and live reads the same way).
  kube::Projection resource_projection() const;
  kube::Projection secret_projection() const;
  kube::Projection workload_projection() const;

 private:
  void EnqueueOwnerOfSecret(const nlohmann::json& secret);
  void EnqueueConsumersOf(rotation::WorkloadKind kind, const nlohmann::json& workload);
  const kube::Informer& Workload(rotation::WorkloadKind kind) const { return *workloads_[static_cast<size_t>(kind)]; }

  Enqueue enqueue_;
  ResourceIndex index_;
  SecretReaders readers_;
  std::unique_ptr<kube::Informer> resources_;
  std::unique_ptr<kube::Informer> secrets_;
  std::array<std::unique_ptr<kube::Informer>, rotation::kWorkloadKinds.size()> workloads_;
};

}  // namespace keyroll::controller
