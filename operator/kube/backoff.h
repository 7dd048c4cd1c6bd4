// backoff: jittered exponential backoff (client-go's reflector: 800ms doubling to 30s,
// jitter 1.0 — each wait is d..2d, capped).
#pragma once

#include <chrono>
#include <random>

namespace keyroll::kube {

struct BackoffOptions {
  std::chrono::milliseconds initial{800};
  std::chrono::milliseconds max{std::chrono::seconds(30)};
  double factor = 2.0;
  double jitter = 1.0;  // a wait is d * (1 + jitter * U[0,1))
};

class Backoff {
 public:
  explicit Backoff(BackoffOptions options = {});
  std::chrono::milliseconds Next();  // the wait before the next attempt
  void Reset() { current_ = options_.initial; }

 private:
  BackoffOptions options_;
  std::chrono::milliseconds current_;
  std::mt19937_64 rng_;
};

}  // namespace keyroll::kube
