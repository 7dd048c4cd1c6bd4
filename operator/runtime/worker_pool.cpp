#include "operator/runtime/worker_pool.h"

#include <exception>

#include "operator/log/logging.h"

namespace keyroll::runtime {

WorkerPool::WorkerPool(Workqueue& queue, int workers, ReconcileFunc reconcile)
    : queue_(queue), workers_(workers < 1 ? 1 : workers), reconcile_(std::move(reconcile)) {}

WorkerPool::~WorkerPool() { Stop(); }

void WorkerPool::Start() {
  if (!threads_.empty()) return;
  for (int i = 0; i < workers_; ++i) threads_.emplace_back([this] { Run(); });
}

void WorkerPool::Stop() {
  queue_.ShutDown();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

void WorkerPool::Run() {
  while (auto key = queue_.Get()) {
    ReconcileResult result;
    try {
      result = reconcile_(*key);
    } catch (const std::exception& e) {
      log::Error("reconcile threw", {{"key", *key}, {"error", e.what()}});
      result = ReconcileResult::Error();
    } catch (...) {
      log::Error("reconcile threw", {{"key", *key}, {"error", "unknown exception"}});
      result = ReconcileResult::Error();
    }
    if (result.error) {
      queue_.AddRateLimited(*key);
    } else {
      queue_.Forget(*key);
    }
    // With an error too: the earlier of backoff and requeue_after wins (a schedule or the
    // refresh interval caps a long backoff).
    if (result.requeue_after) queue_.AddAfter(*key, *result.requeue_after);
    queue_.Done(*key);
  }
}

}  // namespace keyroll::runtime
