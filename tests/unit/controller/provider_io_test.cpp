// ProviderIo (where provider reads run) and the circuit breaker's retry delays.
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <string>
#include <vector>

#include "operator/controller/provider_cache.h"
#include "operator/controller/provider_io.h"
#include "tests/unit/controller/test_gate.h"

namespace keyroll::controller {
namespace {
namespace KEYROLL_UNITY_ID {

using keyroll::testing::Gate;

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

// More failing accounts hanging than there are threads (issue 17: more than 256 at once):
// they hold at most max - reserve threads, the rest wait, and a healthy account's call still
// runs at once.
TEST(ProviderIo, HungFailingAccountsLeaveTheReserveToHealthyOnes) {
  ProviderIo io(8, 2);
  auto hung = std::make_shared<Gate>();
  std::atomic<int> suspect_done{0};
  for (int i = 0; i < 10; ++i)
    io.Run([hung, &suspect_done] {
      hung->Wait();
      ++suspect_done;
    }, true);
  ASSERT_TRUE(WaitFor([&] { return io.running() == 6; }));
  EXPECT_EQ(io.running_suspect(), 6u);  // 4 more wait: 2 threads stay free
  std::atomic<int> healthy_done{0};
  for (int i = 0; i < 5; ++i) io.Run([&] { ++healthy_done; }, false);
  EXPECT_TRUE(WaitFor([&] { return healthy_done == 5; }));
  EXPECT_EQ(suspect_done.load(), 0);
  hung->Open();  // the waiting failing accounts' calls run once threads free up
  EXPECT_TRUE(WaitFor([&] { return suspect_done == 10; }));
  EXPECT_TRUE(WaitFor([&] { return io.running() == 0; }));
}

TEST(ProviderIo, WithoutAReserveHungCallsCanTakeEveryThread) {
  // The counterpart: what the reserve prevents (reserve 0, as below 8 threads).
  ProviderIo io(4, 0);
  auto hung = std::make_shared<Gate>();
  for (int i = 0; i < 4; ++i) io.Run([hung] { hung->Wait(); }, true);
  ASSERT_TRUE(WaitFor([&] { return io.running() == 4; }));
  std::atomic<int> healthy_done{0};
  io.Run([&] { ++healthy_done; }, false);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(healthy_done.load(), 0);  // queued behind the hung calls
  hung->Open();
  EXPECT_TRUE(WaitFor([&] { return healthy_done == 1; }));
  EXPECT_TRUE(WaitFor([&] { return io.running() == 0; }));
}

// Issue 17: more accounts start hanging at once than there are slots (1,000 of 10,000 at a
// cold start, none failing yet). Each gives its slot up once it has run slow_after, so the
// calls queued behind them run although every hung call still hangs.
TEST(ProviderIo, CallsThatTurnSlowGiveTheirSlotsToQueuedCalls) {
  ProviderIo io(ProviderIo::Limits{4, 0, std::chrono::milliseconds(20), 100});
  auto hung = std::make_shared<Gate>();
  std::atomic<int> hung_done{0};
  for (int i = 0; i < 10; ++i)
    io.Run([hung, &hung_done] {
      hung->Wait();
      ++hung_done;
    }, false);
  std::atomic<int> healthy_done{0};
  for (int i = 0; i < 5; ++i) io.Run([&] { ++healthy_done; }, false);
  EXPECT_TRUE(WaitFor([&] { return healthy_done == 5; }));
  EXPECT_EQ(hung_done.load(), 0);
  EXPECT_EQ(io.slow() + io.running(), 10u);  // every hung call still runs, on its own thread
  EXPECT_GE(io.slow(), 6u);
  EXPECT_TRUE(io.Hanging());
  hung->Open();
  EXPECT_TRUE(WaitFor([&] { return hung_done == 10; }));
  EXPECT_TRUE(WaitFor([&] { return io.running() == 0 && io.slow() == 0; }));
  EXPECT_FALSE(io.Hanging());
}

// The threads of slow calls are bounded: at max_slow, a slow call keeps its slot and the
// queue waits, as without the release.
TEST(ProviderIo, AtMaxSlowASlowCallKeepsItsSlot) {
  ProviderIo io(ProviderIo::Limits{2, 0, std::chrono::milliseconds(10), 1});
  auto hung = std::make_shared<Gate>();
  for (int i = 0; i < 3; ++i) io.Run([hung] { hung->Wait(); }, false);
  ASSERT_TRUE(WaitFor([&] { return io.slow() == 1 && io.running() == 2; }));  // the third took the freed slot
  std::atomic<int> healthy_done{0};
  io.Run([&] { ++healthy_done; }, false);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // ten times slow_after
  EXPECT_EQ(healthy_done.load(), 0);
  EXPECT_EQ(io.slow(), 1u);
  hung->Open();
  EXPECT_TRUE(WaitFor([&] { return healthy_done == 1; }));
  EXPECT_TRUE(WaitFor([&] { return io.running() == 0 && io.slow() == 0; }));
}

// Calls of failing accounts are expected to hang (they are probes): they keep their slots, so
// the reserve is what keeps healthy accounts served (HungFailingAccountsLeaveTheReserve...).
TEST(ProviderIo, CallsOfFailingAccountsNeverGiveTheirSlotUp) {
  ProviderIo io(ProviderIo::Limits{2, 0, std::chrono::milliseconds(10), 100});
  auto hung = std::make_shared<Gate>();
  for (int i = 0; i < 2; ++i) io.Run([hung] { hung->Wait(); }, true);
  std::atomic<int> healthy_done{0};
  io.Run([&] { ++healthy_done; }, false);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(healthy_done.load(), 0);
  EXPECT_EQ(io.slow(), 0u);
  hung->Open();
  EXPECT_TRUE(WaitFor([&] { return healthy_done == 1; }));
}

TEST(ProviderCircuit, RetryDelayStartsAtFiveSecondsAndDoublesToFiveMinutes) {
  using std::chrono::seconds;
  EXPECT_EQ(ProviderCache::RetryDelay(1), seconds(5));
  EXPECT_EQ(ProviderCache::RetryDelay(2), seconds(10));
  EXPECT_EQ(ProviderCache::RetryDelay(3), seconds(20));
  EXPECT_EQ(ProviderCache::RetryDelay(7), seconds(300));
  EXPECT_EQ(ProviderCache::RetryDelay(100), seconds(300));
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::controller
