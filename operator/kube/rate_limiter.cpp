// rate_limiter.cpp — see rate_limiter.h.
#include "operator/kube/rate_limiter.h"

#include <algorithm>
#include <thread>

namespace keyroll::kube {

RateLimiter::RateLimiter(double qps, int burst, std::function<Clock::time_point()> now)
    : qps_(qps), burst_(std::max(1, burst)), now_(std::move(now)), tokens_(burst_), last_(now_()) {}

RateLimiter::Clock::duration RateLimiter::Reserve() {
  if (qps_ <= 0) return Clock::duration::zero();
  std::lock_guard lock(mu_);
  const auto now = now_();
  if (now > last_) {
    tokens_ = std::min(burst_, tokens_ + std::chrono::duration<double>(now - last_).count() * qps_);
    last_ = now;
  }
  tokens_ -= 1;  // may go negative: a debt the next callers wait behind
  if (tokens_ >= 0) return Clock::duration::zero();
  return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(-tokens_ / qps_));
}

void RateLimiter::Wait() {
  auto wait = Reserve();
  if (wait > Clock::duration::zero()) std::this_thread::sleep_for(wait);
}

}  // namespace keyroll::kube
