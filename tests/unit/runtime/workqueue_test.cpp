// Workqueue and WorkerPool: dedup, one worker per key, delays, backoff, shutdown.
#include "operator/runtime/workqueue.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "operator/runtime/worker_pool.h"
#include "tests/support/wait.h"

namespace keyroll::runtime {
namespace {
namespace KEYROLL_UNITY_ID {

using namespace std::chrono_literals;
using keyroll::testing::WaitUntil;

// A clock that only moves when the test says so.
struct FakeClock {
  std::atomic<QueueClock::rep> ticks{0};
  QueueTime Now() const { return QueueTime(QueueClock::duration(ticks.load())); }
  void Advance(std::chrono::milliseconds d) {
    ticks += std::chrono::duration_cast<QueueClock::duration>(d).count();
  }
};

WorkqueueOptions WithClock(FakeClock& clock) {
  WorkqueueOptions o;
  o.now = [&clock] { return clock.Now(); };
  return o;
}

TEST(Workqueue, OneEntryPerKeyHoweverManyAdds) {
  Workqueue q;
  for (int i = 0; i < 5; ++i) {
    q.Add("ns/a");
    q.Add("ns/b");
  }
  EXPECT_EQ(q.Len(), 2u);
  EXPECT_EQ(q.TryGet(), "ns/a");
  EXPECT_EQ(q.TryGet(), "ns/b");
  EXPECT_EQ(q.TryGet(), std::nullopt);
}

// Pops every ready key, marking each done.
std::vector<std::string> Drain(Workqueue& q) {
  std::vector<std::string> out;
  while (auto key = q.TryGet()) {
    out.push_back(*key);
    q.Done(*key);
  }
  return out;
}

TEST(Workqueue, UrgentKeysGoFirstAndAQueuedKeyMovesOnce) {
  Workqueue q;
  for (const char* k : {"ns/a", "ns/b", "ns/c"}) q.Add(k);
  q.Add("ns/u", Lane::kUrgent);
  q.Add("ns/c", Lane::kUrgent);  // queued normal: moves to the urgent lane
  q.Add("ns/c", Lane::kUrgent);
  q.Add("ns/u");                 // already urgent: stays there
  EXPECT_EQ(q.Len(), 4u);
  EXPECT_EQ(Drain(q), (std::vector<std::string>{"ns/u", "ns/c", "ns/a", "ns/b"}))
      << "ns/c once, from the urgent lane; its normal entry is skipped";
  EXPECT_EQ(q.Len(), 0u);
}

TEST(Workqueue, AKeyMadeUrgentWhileProcessingIsQueuedUrgentAfterDone) {
  Workqueue q;
  q.Add("ns/a");
  ASSERT_EQ(q.TryGet(), "ns/a");
  q.Add("ns/b");
  q.Add("ns/a", Lane::kUrgent);
  EXPECT_EQ(q.TryGet(), "ns/b") << "a key in processing is not handed out again";
  q.Done("ns/b");
  q.Add("ns/c");
  q.Done("ns/a");
  EXPECT_EQ(Drain(q), (std::vector<std::string>{"ns/a", "ns/c"}));
}

TEST(Workqueue, AKeyMovedTwiceAndAddedAgainIsHandedOutOnceEachTime) {
  Workqueue q;
  q.Add("ns/a");
  q.Add("ns/x");
  q.Add("ns/a", Lane::kUrgent);
  ASSERT_EQ(q.TryGet(), "ns/a");
  q.Done("ns/a");
  q.Add("ns/a");                 // normal again, behind the stale entry
  q.Add("ns/a", Lane::kUrgent);  // and moved again
  ASSERT_EQ(q.TryGet(), "ns/a");
  q.Done("ns/a");
  q.Add("ns/a");
  EXPECT_EQ(Drain(q), (std::vector<std::string>{"ns/x", "ns/a"}));
  EXPECT_EQ(q.Len(), 0u);
}

TEST(Workqueue, TheNormalLaneIsNotStarvedByUrgentKeys) {
  Workqueue q;
  q.Add("normal");
  std::vector<std::string> order;
  for (int i = 0; i < 3 * Workqueue::kNormalEvery; ++i) {
    q.Add("u" + std::to_string(i), Lane::kUrgent);
    auto key = q.TryGet();
    ASSERT_TRUE(key);
    order.push_back(*key);
    q.Done(*key);
  }
  auto at = std::find(order.begin(), order.end(), "normal");
  ASSERT_NE(at, order.end()) << "urgent keys kept coming and the normal one never ran";
  EXPECT_EQ(at - order.begin(), Workqueue::kNormalEvery - 1);
}

TEST(Workqueue, KeyAddedWhileProcessingIsQueuedAfterDone) {
  Workqueue q;
  q.Add("ns/a");
  auto key = q.TryGet();
  ASSERT_EQ(key, "ns/a");
  q.Add("ns/a");
  q.Add("ns/a");
  EXPECT_EQ(q.TryGet(), std::nullopt) << "a key in processing must not be handed out again";
  q.Done("ns/a");
  EXPECT_EQ(q.TryGet(), "ns/a");
  q.Done("ns/a");
  EXPECT_EQ(q.TryGet(), std::nullopt) << "the re-adds collapse into one entry";
}

TEST(Workqueue, AddAfterWaitsForItsTimeAndEarlierWins) {
  FakeClock clock;
  Workqueue q(WithClock(clock));
  q.AddAfter("ns/late", 10s);
  q.AddAfter("ns/early", 5s);
  q.AddAfter("ns/early", 8s);  // later than the pending time: ignored
  q.AddAfter("ns/late", 7s);   // earlier than the pending time: wins
  EXPECT_EQ(q.WaitingLen(), 2u);
  EXPECT_EQ(q.TryGet(), std::nullopt);
  clock.Advance(5s);
  EXPECT_EQ(q.TryGet(), "ns/early");
  EXPECT_EQ(q.TryGet(), std::nullopt);
  clock.Advance(2s);
  EXPECT_EQ(q.TryGet(), "ns/late");
  EXPECT_EQ(q.WaitingLen(), 0u);
  clock.Advance(10s);
  EXPECT_EQ(q.TryGet(), std::nullopt) << "a superseded time must not fire again";
}

TEST(Workqueue, DueKeysComeOutInTimeOrder) {
  FakeClock clock;
  Workqueue q(WithClock(clock));
  q.AddAfter("ns/c", 3s);
  q.AddAfter("ns/a", 1s);
  q.AddAfter("ns/b", 2s);
  clock.Advance(3s);
  EXPECT_EQ(q.TryGet(), "ns/a");
  EXPECT_EQ(q.TryGet(), "ns/b");
  EXPECT_EQ(q.TryGet(), "ns/c");
}

TEST(Workqueue, BackoffDoublesUpToTheCapAndForgetResets) {
  FakeClock clock;
  auto opts = WithClock(clock);
  opts.base_delay = 5ms;
  opts.max_delay = 1000s;
  Workqueue q(opts);
  EXPECT_EQ(q.Backoff(1), 5ms);
  EXPECT_EQ(q.Backoff(2), 10ms);
  EXPECT_EQ(q.Backoff(3), 20ms);
  EXPECT_EQ(q.Backoff(19), 1000s);
  EXPECT_EQ(q.Backoff(500), 1000s) << "huge failure counts must not overflow";

  std::vector<std::chrono::milliseconds> waits;
  for (int i = 0; i < 4; ++i) {
    q.AddRateLimited("ns/a");
    std::chrono::milliseconds waited{0};
    while (!q.TryGet()) {
      clock.Advance(1ms);
      waited += 1ms;
      ASSERT_LT(waited, 10s);
    }
    q.Done("ns/a");
    waits.push_back(waited);
  }
  EXPECT_EQ(waits, (std::vector<std::chrono::milliseconds>{5ms, 10ms, 20ms, 40ms}));
  EXPECT_EQ(q.NumRequeues("ns/a"), 4);
  q.Forget("ns/a");
  EXPECT_EQ(q.NumRequeues("ns/a"), 0);
  q.AddRateLimited("ns/a");
  clock.Advance(4ms);
  EXPECT_EQ(q.TryGet(), std::nullopt);
  clock.Advance(1ms);
  EXPECT_EQ(q.TryGet(), "ns/a") << "after Forget the backoff starts again at the base delay";
}

TEST(Workqueue, BlockingGetWakesForADelayedKey) {
  Workqueue q;
  q.AddAfter("ns/a", 20ms);
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(q.Get(), "ns/a");
  EXPECT_GE(std::chrono::steady_clock::now() - start, 20ms);
}

TEST(Workqueue, ShutDownWakesEveryBlockedGetPromptly) {
  Workqueue q;
  q.AddAfter("ns/far", 1h);
  std::atomic<int> returned{0};
  std::vector<std::thread> workers;
  for (int i = 0; i < 4; ++i) {
    workers.emplace_back([&] {
      EXPECT_EQ(q.Get(), std::nullopt);
      ++returned;
    });
  }
  q.ShutDown();
  EXPECT_TRUE(WaitUntil([&] { return returned == 4; }, 10s));
  for (auto& t : workers) t.join();
  q.Add("ns/a");
  EXPECT_EQ(q.Len(), 0u) << "adds after shutdown are ignored";
}

TEST(Workqueue, MetricsHookSeesAddsDepthLatencyWorkAndRetries) {
  struct Recorder : QueueMetrics {
    int adds = 0, retries = 0, latencies = 0, works = 0;
    std::size_t depth = 0;
    void Added() override { ++adds; }
    void Depth(std::size_t d) override { depth = d; }
    void QueueLatency(double) override { ++latencies; }
    void WorkDuration(double) override { ++works; }
    void Retry() override { ++retries; }
  };
  auto rec = std::make_shared<Recorder>();
  WorkqueueOptions o;
  o.metrics = rec;
  Workqueue q(o);
  q.Add("ns/a");
  q.Add("ns/a");
  q.Add("ns/b");
  EXPECT_EQ(rec->adds, 2);
  EXPECT_EQ(rec->depth, 2u);
  auto key = q.TryGet();
  EXPECT_EQ(rec->depth, 1u);
  EXPECT_EQ(rec->latencies, 1);
  q.AddRateLimited(*key);
  q.Done(*key);
  EXPECT_EQ(rec->works, 1);
  EXPECT_EQ(rec->retries, 1);
}

TEST(Workqueue, LongestProcessingTracksTheOldestKeyInWork) {
  FakeClock clock;
  Workqueue q(WithClock(clock));
  EXPECT_EQ(q.LongestProcessing(), 0ms);
  q.Add("ns/a");
  ASSERT_TRUE(q.TryGet());
  clock.Advance(90s);
  EXPECT_EQ(q.LongestProcessing(), 90s);
  q.Done("ns/a");
  EXPECT_EQ(q.LongestProcessing(), 0ms);
}

// Many threads adding the same few keys while many workers process them: no key is ever
// in two workers at once, and every key added after its last processing started is seen.
TEST(WorkerPool, NeverTwoWorkersOnOneKey) {
  Workqueue q;
  std::mutex mu;
  std::set<std::string> in_flight;
  std::atomic<int> overlaps{0}, reconciles{0};
  std::map<std::string, int> last_seen_generation;
  std::map<std::string, std::atomic<int>> generation;
  const std::vector<std::string> keys = {"ns/a", "ns/b", "ns/c", "ns/d"};
  for (auto& k : keys) generation[k] = 0;

  WorkerPool pool(q, 8, [&](const std::string& key) {
    int gen = generation.at(key).load();
    {
      std::lock_guard lock(mu);
      if (!in_flight.insert(key).second) ++overlaps;
    }
    std::this_thread::sleep_for(std::chrono::microseconds(200));
    {
      std::lock_guard lock(mu);
      in_flight.erase(key);
      last_seen_generation[key] = std::max(last_seen_generation[key], gen);
    }
    ++reconciles;
    return ReconcileResult::Done();
  });
  pool.Start();

  std::vector<std::thread> producers;
  for (int p = 0; p < 4; ++p) {
    producers.emplace_back([&, p] {
      for (int i = 0; i < 2000; ++i) {
        const auto& key = keys[(i + p) % keys.size()];
        ++generation.at(key);
        q.Add(key);
      }
    });
  }
  for (auto& t : producers) t.join();
  // Every key's final generation must be reconciled (no add is lost).
  EXPECT_TRUE(WaitUntil([&] {
    std::lock_guard lock(mu);
    for (auto& k : keys) {
      if (last_seen_generation[k] != generation.at(k).load()) return false;
    }
    return true;
  }, 30s));
  pool.Stop();
  EXPECT_EQ(overlaps, 0);
  EXPECT_GT(reconciles, 0);
  EXPECT_LT(reconciles, 8000) << "adds during processing collapse";
}

TEST(WorkerPool, ErrorsRetryWithBackoffAndSuccessForgetsAndRequeues) {
  WorkqueueOptions o;
  o.base_delay = 1ms;
  Workqueue q(o);
  std::atomic<int> calls{0};
  std::atomic<int> requeues_seen_at_success{-1};
  WorkerPool pool(q, 2, [&](const std::string& key) {
    int n = ++calls;
    if (n <= 3) return ReconcileResult::Error();
    if (n == 4) {
      requeues_seen_at_success = q.NumRequeues(key);
      return ReconcileResult::RequeueAfter(5ms);
    }
    if (n == 5) throw std::runtime_error("boom");  // an exception counts as an error
    return ReconcileResult::Done();
  });
  pool.Start();
  q.Add("ns/a");
  EXPECT_TRUE(WaitUntil([&] { return calls >= 6; }, 20s));
  EXPECT_EQ(requeues_seen_at_success, 3);
  EXPECT_TRUE(WaitUntil([&] { return q.NumRequeues("ns/a") == 0; }, 20s))
      << "the final success forgets the failure";
  pool.Stop();
  EXPECT_EQ(calls, 6) << "Done without requeue_after schedules nothing more";
}

TEST(WorkerPool, StopReturnsWhileWorkersIdle) {
  Workqueue q;
  WorkerPool pool(q, 4, [](const std::string&) { return ReconcileResult::Done(); });
  pool.Start();
  auto start = std::chrono::steady_clock::now();
  pool.Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 10s);
  EXPECT_TRUE(q.ShuttingDown());
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::runtime
