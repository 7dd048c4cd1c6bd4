// retry: when to try a provider read again. Parses the providers' "come back later" headers
// (Retry-After as seconds or HTTP date, *-RateLimit-Reset as unix seconds) and computes
// jittered exponential backoff. Pure functions: the caller passes the clock and randomness.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace keyroll::providers {

using SystemTime = std::chrono::system_clock::time_point;

struct RetryPolicy {
  int max_attempts = 4;                                   // reads only; rotate is never retried
  std::chrono::milliseconds initial_backoff{200};
  std::chrono::milliseconds max_backoff{5000};
  std::chrono::milliseconds max_total{30000};             // one call's attempts and waits together
  std::chrono::milliseconds max_rate_limit_wait{60000};   // longer: give up with kRateLimited
};

// Retry-After: delay-seconds ("120") or an HTTP date ("Wed, 21 Oct 2015 07:28:00 GMT").
// A date in the past gives 0s. nullopt when the value is neither.
std::optional<std::chrono::seconds> ParseRetryAfter(std::string_view value, SystemTime now);

// A reset header holding unix seconds (Burst-RateLimit-Reset, RateLimit-Reset,
// x-ratelimit-reset): the time from now until then (0s if it passed). Values that look like
// milliseconds (13+ digits) are read as such. nullopt when not a number.
std::optional<std::chrono::seconds> ParseResetEpoch(std::string_view value, SystemTime now);

// Backoff before retry number `retry` (1 = first retry): initial * 2^(retry-1), capped at
// max_backoff, scaled by jitter in [0.5, 1.0] (jitter01 is a uniform random in [0, 1]).
std::chrono::milliseconds BackoffDelay(int retry, const RetryPolicy& policy, double jitter01);

// One call's spending against RetryPolicy::max_total: its attempts, as measured, and the waits
// between them. Counting the attempts is what bounds a hung endpoint: each attempt costs a
// whole read timeout, and max_attempts of them would hold the call four times as long.
class RetryBudget {
 public:
  explicit RetryBudget(const RetryPolicy& policy) : max_total_(policy.max_total) {}
  template <class F>
  auto Attempt(F&& attempt) {
    const auto start = std::chrono::steady_clock::now();
    auto result = attempt();
    spent_ += std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
    return result;
  }
  // Whether waiting `delay` and trying again still fits.
  bool Allows(std::chrono::milliseconds delay) const { return spent_ + delay <= max_total_; }
  void Waited(std::chrono::milliseconds delay) { spent_ += delay; }

 private:
  std::chrono::milliseconds max_total_;
  std::chrono::milliseconds spent_{0};
};

// A uniform draw in [0, 1) for BackoffDelay, from a generator per thread: a client must not
// carry its own (a 64-bit Mersenne Twister is 2.5 KB, times 10,000 cached clients).
double RandomJitter();

}  // namespace keyroll::providers
