// workqueue: a rate-limited work queue of string keys ("namespace/name") in the manner of
// client-go's workqueue. One entry per key however often it is added; a key being processed
// is never handed to a second worker (added again meanwhile, it is queued after Done());
// AddAfter for requeue-after (the earliest pending time wins); AddRateLimited for per-key
// exponential backoff (Forget resets it); ShutDown wakes every blocked Get().
// Two lanes: a key added to the urgent lane is handed out before the normal lane's keys
// (every kNormalEvery-th Get still takes a normal key, so neither lane starves). A consumer's
// rollout completing must not wait behind thousands of first syncs or provider failures.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>

namespace keyroll::runtime {

using QueueClock = std::chrono::steady_clock;
using QueueTime = QueueClock::time_point;

// Receives the queue's measurements (see queue_metrics.h for the Prometheus one).
// Called with the queue's lock held: implementations must be quick and must not call back.
class QueueMetrics {
 public:
  virtual ~QueueMetrics() = default;
  virtual void Added() {}                        // a key entered the queue (not deduplicated)
  virtual void Depth(std::size_t /*depth*/) {}   // keys ready and waiting for a worker
  virtual void QueueLatency(double /*seconds*/) {}  // time from Add to Get
  virtual void WorkDuration(double /*seconds*/) {}  // time from Get to Done
  virtual void Retry() {}                        // AddRateLimited was called
};

struct WorkqueueOptions {
  // Per-key backoff: base_delay * 2^(failures-1), at most max_delay (client-go's default
  // item limiter: 5ms .. 1000s).
  std::chrono::milliseconds base_delay{5};
  std::chrono::milliseconds max_delay{std::chrono::seconds(1000)};
  // Time source for delays; tests pass a fake. Defaults to steady_clock::now.
  std::function<QueueTime()> now;
  std::shared_ptr<QueueMetrics> metrics;  // optional
};

enum class Lane { kNormal, kUrgent };

class Workqueue {
 public:
  // While both lanes hold keys, every kNormalEvery-th key handed out is a normal one.
  static constexpr int kNormalEvery = 8;

  explicit Workqueue(WorkqueueOptions options = {});
  Workqueue(const Workqueue&) = delete;
  Workqueue& operator=(const Workqueue&) = delete;

  // Queues key unless it is already queued. A key in processing is queued after Done().
  // kUrgent also moves a key already queued in the normal lane to the urgent one.
  void Add(const std::string& key, Lane lane = Lane::kNormal);
  // Adds key once delay has passed. If the key already waits, the earlier time wins.
  void AddAfter(const std::string& key, std::chrono::milliseconds delay);
  // AddAfter with this key's next backoff delay (and counts a failure).
  void AddRateLimited(const std::string& key);
  // Clears the key's failure count (call after a successful reconcile).
  void Forget(const std::string& key);
  int NumRequeues(const std::string& key) const;
  // The delay AddRateLimited would use after `failures` failures (1 = first).
  std::chrono::milliseconds Backoff(int failures) const;

  // Blocks until a key is ready; nullopt once ShutDown() was called. The caller owns the
  // key until Done(key).
  std::optional<std::string> Get();
  // Non-blocking Get: a ready key, or nullopt.
  std::optional<std::string> TryGet();
  void Done(const std::string& key);

  // Makes every Get() return nullopt now and later; further adds are ignored.
  void ShutDown();
  bool ShuttingDown() const;
  // Wakes blocked Get() calls so they re-check delayed keys (for fake clocks in tests).
  void Wake();

  std::size_t Len() const;            // keys ready for a worker (the depth metric)
  std::size_t WaitingLen() const;     // keys waiting for their AddAfter time
  // How long the longest-running key has been in processing (0 when none): a liveness
  // check can tell a wedged worker from an idle one.
  std::chrono::milliseconds LongestProcessing() const;

 private:
  QueueTime Now() const;
  void AddLocked(const std::string& key, Lane lane = Lane::kNormal);
  void PushLocked(const std::string& key);  // to the lane urgent_keys_ says
  void AddAfterLocked(const std::string& key, QueueTime when);
  void PromoteDueLocked(QueueTime now);
  std::optional<std::string> PopLocked();
  void ReportDepthLocked();

  WorkqueueOptions options_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> queue_;                   // ready, in order (normal lane)
  std::deque<std::string> urgent_;                  // ready, in order (urgent lane)
  std::unordered_set<std::string> urgent_keys_;     // dirty keys whose next turn is urgent
  // Normal-lane entries left behind by keys moved to the urgent lane: skipped when popped.
  std::unordered_map<std::string, int> moved_;
  std::size_t ready_ = 0;                           // keys in either lane
  int urgent_run_ = 0;                              // urgent keys handed out in a row
  std::unordered_set<std::string> dirty_;           // needs processing (queued or will be)
  std::unordered_map<std::string, QueueTime> processing_;  // key -> when Get handed it out
  std::unordered_map<std::string, QueueTime> added_at_;    // key -> when it became dirty
  std::unordered_map<std::string, QueueTime> waiting_;     // key -> when to add
  // The same entries by time; the key is waiting_'s own (its nodes do not move): every
  // resource waits for its next refresh, and a second copy of 10,000 keys was 0.7 MB.
  struct ByTimeThenKey {
    bool operator()(const std::pair<QueueTime, const std::string*>& a,
                    const std::pair<QueueTime, const std::string*>& b) const {
      return a.first != b.first ? a.first < b.first : *a.second < *b.second;
    }
  };
  std::set<std::pair<QueueTime, const std::string*>, ByTimeThenKey> waiting_by_time_;
  std::unordered_map<std::string, int> failures_;
  bool shutting_down_ = false;
};

}  // namespace keyroll::runtime
