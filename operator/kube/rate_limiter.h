// rate_limiter: client-side rate limiting of API requests, as client-go's token bucket
// (rest.Config QPS and Burst; controller-runtime's --kube-api-qps/--kube-api-burst): up to
// `burst` requests at once, then `qps` per second. Every request waits for its token before
// it is sent, watches and retries included; a 429 is still honoured on top (transport.h).
// qps <= 0: no limit. Thread-safe.
#pragma once

#include <chrono>
#include <functional>
#include <mutex>

namespace keyroll::kube {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  // `now` is injectable for tests.
  RateLimiter(double qps, int burst, std::function<Clock::time_point()> now = Clock::now);

  // Takes a token; returns how long the caller must wait before sending (0 when one was
  // available). Tokens are reserved in order, so waiters are served first come, first served.
  Clock::duration Reserve();
  // Reserve() and sleep for it.
  void Wait();
  bool limited() const { return qps_ > 0; }

 private:
  const double qps_;
  const double burst_;
  std::function<Clock::time_point()> now_;
  std::mutex mu_;
  double tokens_;
  Clock::time_point last_;
};

}  // namespace keyroll::kube
