// worker_pool: N threads that take keys from a Workqueue and run the reconcile function on
// them. The result decides what happens to the key: an error retries it with backoff, a
// success forgets its failures; requeue_after (with or without an error) schedules the next
// look at the latest then.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "operator/runtime/workqueue.h"

namespace keyroll::runtime {

struct ReconcileResult {
  std::optional<std::chrono::milliseconds> requeue_after;  // look again after this
  bool error = false;                                      // retry with per-key backoff

  static ReconcileResult Done() { return {}; }
  static ReconcileResult RequeueAfter(std::chrono::milliseconds d) { return {d, false}; }
  static ReconcileResult Error() { return {std::nullopt, true}; }
};

using ReconcileFunc = std::function<ReconcileResult(const std::string& key)>;

class WorkerPool {
 public:
  // The queue must outlive the pool. An exception thrown by `reconcile` counts as an error.
  WorkerPool(Workqueue& queue, int workers, ReconcileFunc reconcile);
  ~WorkerPool();  // Stop()
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  void Start();
  // Shuts the queue down and joins the workers (each finishes the key it is working on).
  void Stop();

 private:
  void Run();

  Workqueue& queue_;
  int workers_;
  ReconcileFunc reconcile_;
  std::vector<std::thread> threads_;
};

}  // namespace keyroll::runtime
