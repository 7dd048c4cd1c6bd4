// e2e_deployments: a simulated deployment controller for clusters without one (the fake API
// server). A thread polls the namespace's Deployments every ~50 ms; when
// metadata.generation > status.observedGeneration it waits `delay` and writes a complete
// rollout to /status (observedGeneration, replicas, updated/available/ready, Progressing
// NewReplicaSetAvailable, Available) — unless the test holds that Deployment (Hold) or fails
// it (Fail: Progressing=False ProgressDeadlineExceeded, an old pod left). It records every
// completed rollout with the pod template's keyroll.dev/keys-hash, so tests can check that
// each rotation happened only after every consumer ran the keys of that moment.
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "operator/kube/client.h"

namespace keyroll::testing {

struct Rollout {
  std::string deployment;
  int64_t generation = 0;
  std::string keys_hash;  // the template annotation keyroll.dev/keys-hash ("" if none)
  std::chrono::steady_clock::time_point completed;
};

class DeploymentSimulator {
 public:
  // `client` must outlive the simulator. Starts the thread at once.
  DeploymentSimulator(kube::Client& client, std::string ns,
                      std::chrono::milliseconds delay = std::chrono::milliseconds(200));
  ~DeploymentSimulator();
  DeploymentSimulator(const DeploymentSimulator&) = delete;
  DeploymentSimulator& operator=(const DeploymentSimulator&) = delete;

  void Hold(const std::string& name);     // no status updates until Release
  void Release(const std::string& name);
  void Fail(const std::string& name);     // next rollouts end in ProgressDeadlineExceeded
  void Unfail(const std::string& name);

  std::vector<Rollout> Rollouts() const;
  std::vector<Rollout> RolloutsOf(const std::string& name) const;
  // True when `name` completed a rollout of template hash `keys_hash` at or before `when`.
  bool RolledOutBefore(const std::string& name, const std::string& keys_hash,
                       std::chrono::steady_clock::time_point when) const;
  // Template hash of the last completed rollout of `name` ("" if none).
  std::string LastRolledHash(const std::string& name) const;
  int PendingCount(const std::string& name) const;  // rollouts waiting (held or delayed)

 private:
  void Loop();
  void Step();

  kube::Client& client_;
  std::string ns_;
  std::chrono::milliseconds delay_;
  mutable std::mutex mu_;
  std::set<std::string> held_, failed_;
  std::map<std::string, std::chrono::steady_clock::time_point> first_seen_;  // name@gen -> time
  std::vector<Rollout> rollouts_;
  std::map<std::string, int> pending_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace keyroll::testing
