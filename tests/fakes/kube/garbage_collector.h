// garbage_collector: what kube-controller-manager's garbage collector does, in the
// background: objects whose ownerReferences all point at uids that no longer exist are
// deleted shortly after (each producing a DELETED watch event). Orphan propagation and
// removal of individual dangling references are not emulated.
#pragma once

#include <atomic>
#include <thread>

#include "tests/fakes/kube/server_state.h"

namespace keyroll::fakes {

class GarbageCollector {
 public:
  explicit GarbageCollector(ServerState& state);
  ~GarbageCollector();
  GarbageCollector(const GarbageCollector&) = delete;
  GarbageCollector& operator=(const GarbageCollector&) = delete;

 private:
  void Run();
  void CollectOnce();

  ServerState& state_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace keyroll::fakes
