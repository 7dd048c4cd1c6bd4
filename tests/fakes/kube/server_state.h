// server_state: everything the fake API server's handlers share: storage, the resource
// registry, access control, faults, request counters and the settings.
#pragma once

#include <atomic>
#include <chrono>
#include <string>

#include "tests/fakes/kube/access_control.h"
#include "tests/fakes/kube/faults.h"
#include "tests/fakes/kube/object_store.h"
#include "tests/fakes/kube/request_stats.h"
#include "tests/fakes/kube/resource_types.h"

namespace keyroll::fakes {

struct ServerSettings {
  std::string admin_user = "admin";
  std::chrono::milliseconds bookmark_interval{1000};
  std::chrono::milliseconds gc_delay{50};  // how long after an owner's deletion GC runs
  std::string root_ca_pem;  // published in every namespace's kube-root-ca.crt ("" with plain HTTP)
};

struct ServerState {
  explicit ServerState(size_t history) : store(history) {}
  ObjectStore store;
  ResourceRegistry registry;
  AccessControl access;
  Faults faults;
  RequestStats stats;
  ServerSettings settings;
  std::atomic<bool> stopping{false};
  std::string server_address;  // host:port, for /api

  // Watch faults wake every waiting watch so they act at once.
  void DropWatchesNow() {
    faults.DropWatchesNow();
    store.Wake();
  }
  void DropWatchesEvery(std::chrono::milliseconds interval) {
    faults.DropWatchesEvery(interval);
    store.Wake();
  }
  // send_error: open watches get an ERROR 410 event and end; clear_history: watching or
  // listing from any older resourceVersion answers 410 from now on.
  void ExpireWatches(bool send_error, bool clear_history) {
    if (clear_history) store.ClearHistory();
    if (send_error) faults.ExpireWatchesNow();
    store.Wake();
  }
};

}  // namespace keyroll::fakes
