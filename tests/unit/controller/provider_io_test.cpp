// ProviderIo (where provider reads run) and the circuit breaker's retry delays.
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <string>
#include <vector>

#include "operator/controller/provider_cache.h"
#include "operator/controller/provider_io.h"

namespace keyroll::controller {
namespace {

// A latch a task can block on (a hung provider call).
struct Gate {
  std::mutex mu;
  std::condition_variable cv;
  bool open = false;
  void Wait() {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return open; });
  }
  void Open() {
    std::lock_guard lock(mu);
    open = true;
    cv.notify_all();
  }
};

bool WaitFor(const std::function<bool()>& cond) {
  for (int i = 0; i < 2000 && !cond(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  return cond();
}

TEST(ProviderIo, AHungCallDoesNotHoldTheOthersWhileThreadsAreFree) {
  ProviderIo io(4);
  auto hung = std::make_shared<Gate>();
  std::atomic<int> done{0};
  io.Run([hung] { hung->Wait(); }, true);
  for (int i = 0; i < 3; ++i) io.Run([&] { ++done; }, false);
  EXPECT_TRUE(WaitFor([&] { return done == 3; }));
  hung->Open();
  EXPECT_TRUE(WaitFor([&] { return io.running() == 0; }));
}

TEST(ProviderIo, QueuedCallsOfHealthyAccountsGoFirst) {
  ProviderIo io(1);
  auto hung = std::make_shared<Gate>();
  auto order = std::make_shared<std::vector<std::string>>();
  auto mu = std::make_shared<std::mutex>();
  io.Run([hung] { hung->Wait(); }, true);  // takes the only thread
  auto record = [order, mu](std::string what) {
    return [order, mu, what] {
      std::lock_guard lock(*mu);
      order->push_back(what);
    };
  };
  io.Run(record("suspect-1"), true);
  io.Run(record("healthy-1"), false);
  io.Run(record("suspect-2"), true);
  io.Run(record("healthy-2"), false);
  hung->Open();
  ASSERT_TRUE(WaitFor([&] {
    std::lock_guard lock(*mu);
    return order->size() == 4;
  }));
  EXPECT_EQ(*order, (std::vector<std::string>{"healthy-1", "healthy-2", "suspect-1", "suspect-2"}));
}

TEST(ProviderIo, CloseDropsQueuedCallsAndDoesNotWaitForHungOnes) {
  auto hung = std::make_shared<Gate>();
  std::atomic<int> ran{0};
  {
    ProviderIo io(1);
    io.Run([hung] { hung->Wait(); }, false);
    io.Run([&ran] { ++ran; }, false);
  }  // the destructor returns although a call hangs
  hung->Open();
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(ran.load(), 0);
}

TEST(ProviderCircuit, RetryDelayStartsAtFiveSecondsAndDoublesToFiveMinutes) {
  using std::chrono::seconds;
  EXPECT_EQ(ProviderCache::RetryDelay(1), seconds(5));
  EXPECT_EQ(ProviderCache::RetryDelay(2), seconds(10));
  EXPECT_EQ(ProviderCache::RetryDelay(3), seconds(20));
  EXPECT_EQ(ProviderCache::RetryDelay(7), seconds(300));
  EXPECT_EQ(ProviderCache::RetryDelay(100), seconds(300));
}

}  // namespace
}  // namespace keyroll::controller
