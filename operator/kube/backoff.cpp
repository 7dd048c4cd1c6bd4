#include "operator/kube/backoff.h"

#include <algorithm>

namespace keyroll::kube {

Backoff::Backoff(BackoffOptions options)
    : options_(options), current_(options.initial), rng_(std::random_device{}()) {}

std::chrono::milliseconds Backoff::Next() {
  std::uniform_real_distribution<double> u(0.0, 1.0);
  double base = static_cast<double>(current_.count());
  auto wait = std::chrono::milliseconds(static_cast<long long>(base * (1.0 + options_.jitter * u(rng_))));
  current_ = std::min(options_.max, std::chrono::milliseconds(static_cast<long long>(base * options_.factor)));
  return std::min(wait, options_.max);
}

}  // namespace keyroll::kube
