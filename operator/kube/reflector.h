// reflector: keeps a Store in step with the API server, as client-go's reflector does:
// list (paged) then watch from the list's resourceVersion with bookmarks; re-watch from
// the last seen resourceVersion when a watch ends or drops; relist on 410 Gone (HTTP or
// ERROR event) and hand the diff on; jittered exponential backoff on errors.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>

#include "operator/kube/backoff.h"
#include "operator/kube/cache.h"
#include "operator/kube/client.h"

namespace keyroll::kube {

struct ReflectorOptions {
  ResourceRef resource;
  std::string namespace_name;  // "" = all namespaces (or cluster-scoped)
  std::string label_selector;
  std::string field_selector;
  int page_size = 500;
  // Each watch asks the server to end it after a random time in [min, max] (client-go: 5-10 min).
  std::chrono::seconds min_watch_timeout{300};
  std::chrono::seconds max_watch_timeout{600};
  BackoffOptions backoff;
  // The resource type may not be served (an optional CRD, e.g. Argo Rollouts): a list answered
  // 404 counts as an empty list (synced, nothing cached) and is tried again every
  // absent_recheck, so the type is picked up when it is installed, without a restart.
  // A list refused by RBAC (403) counts the same way (the chart can leave the optional kind's
  // permissions out: argoRollouts.enabled=false), said once as a warning.
  bool may_be_absent = false;
  std::chrono::milliseconds absent_recheck{10000};
  // A required type that may not be installed yet (keyroll's own CRD): a 404 list is said
  // once, as an error with this hint (what is missing, how to install it), and tried again
  // every absent_recheck; the reflector stays unsynced (not ready) meanwhile.
  std::string absent_hint;
};

struct ReflectorStats {
  std::atomic<int> lists{0};
  std::atomic<int> watches{0};
  std::atomic<int> gone{0};    // 410s seen (each forced a relist)
  std::atomic<int> errors{0};  // failed lists/watches
};

class Reflector {
 public:
  // on_deltas is called on the reflector's thread after the store changed.
  Reflector(Client& client, ReflectorOptions options, Store& store,
            std::function<void(const std::vector<Delta>&)> on_deltas);

  // Runs until Stop(); call on a thread of your own.
  void Run();
  // Thread-safe; makes Run() return promptly (closes the watch socket).
  void Stop();

  bool has_synced() const { return synced_.load(); }
  // False while a may_be_absent resource type is not served.
  bool served() const { return !absent_.load(); }
  std::string last_resource_version() const;
  const ReflectorStats& stats() const { return stats_; }

 private:
  bool ListAndReplace();
  // One watch; returns true when the next step is a relist.
  bool WatchOnce();
  void Sleep(std::chrono::milliseconds d);
  void SetResourceVersion(std::string rv);

  Client& client_;
  ReflectorOptions options_;
  Store& store_;
  std::function<void(const std::vector<Delta>&)> on_deltas_;
  Backoff backoff_;
  StreamCanceller canceller_;
  std::atomic<bool> stopped_{false};
  std::atomic<bool> synced_{false};
  std::atomic<bool> absent_{false};
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::string resource_version_;
  ReflectorStats stats_;
};

}  // namespace keyroll::kube
