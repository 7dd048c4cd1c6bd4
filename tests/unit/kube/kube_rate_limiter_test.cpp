// The client-side rate limiter (client-go's token bucket), on a clock the test moves.
#include <gtest/gtest.h>

#include "operator/kube/rate_limiter.h"

namespace keyroll::kube {
namespace {
namespace KEYROLL_UNITY_ID {

using namespace std::chrono_literals;
using Clock = RateLimiter::Clock;

struct FakeClock {
  Clock::time_point t{};
  std::function<Clock::time_point()> fn() {
    return [this] { return t; };
  }
};

TEST(RateLimiter, BurstGoesAtOnceThenOnePerInterval) {
  FakeClock clock;
  RateLimiter limiter(10, 3, clock.fn());  // 10/s: one token per 100 ms
  for (int i = 0; i < 3; ++i) EXPECT_EQ(limiter.Reserve(), Clock::duration::zero()) << i;
  EXPECT_EQ(std::chrono::duration_cast<std::chrono::milliseconds>(limiter.Reserve()), 100ms);
  EXPECT_EQ(std::chrono::duration_cast<std::chrono::milliseconds>(limiter.Reserve()), 200ms);  // queued behind
  clock.t += 1s;  // 10 tokens earned, 2 owed, capped at the burst
  for (int i = 0; i < 3; ++i) EXPECT_EQ(limiter.Reserve(), Clock::duration::zero()) << i;
  EXPECT_GT(limiter.Reserve(), Clock::duration::zero());
}

TEST(RateLimiter, SustainsQpsOverTime) {
  FakeClock clock;
  RateLimiter limiter(20, 30, clock.fn());  // controller-runtime's defaults
  for (int i = 0; i < 30; ++i) ASSERT_EQ(limiter.Reserve(), Clock::duration::zero());
  // 200 more at the same instant: the last may go 10 s later (20 per second).
  Clock::duration last{};
  for (int i = 0; i < 200; ++i) last = limiter.Reserve();
  EXPECT_EQ(std::chrono::duration_cast<std::chrono::milliseconds>(last), 10000ms);
}

TEST(RateLimiter, ZeroQpsMeansNoLimit) {
  FakeClock clock;
  RateLimiter limiter(0, 1, clock.fn());
  EXPECT_FALSE(limiter.limited());
  for (int i = 0; i < 10000; ++i) ASSERT_EQ(limiter.Reserve(), Clock::duration::zero());
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::kube
