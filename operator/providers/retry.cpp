#include "operator/providers/retry.h"

#include <random>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <ctime>
#include <string>

namespace keyroll::providers {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::optional<long long> ParseNonNegative(std::string_view s) {
  s = Trim(s);
  if (s.empty() || s.size() > 18) return std::nullopt;
  long long v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size() || v < 0) return std::nullopt;
  return v;
}

std::chrono::seconds Until(SystemTime then, SystemTime now) {
  auto d = std::chrono::ceil<std::chrono::seconds>(then - now);
  return std::max(d, std::chrono::seconds(0));
}

}  // namespace

std::optional<std::chrono::seconds> ParseRetryAfter(std::string_view value, SystemTime now) {
  if (auto secs = ParseNonNegative(value)) return std::chrono::seconds(*secs);
  std::string text(Trim(value));
  std::tm tm{};
  // IMF-fixdate, the form HTTP/1.1 servers send (RFC 9110 section 5.6.7).
  const char* end = strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (end == nullptr || *end != '\0') return std::nullopt;
  return Until(std::chrono::system_clock::from_time_t(timegm(&tm)), now);
}

std::optional<std::chrono::seconds> ParseResetEpoch(std::string_view value, SystemTime now) {
  auto v = ParseNonNegative(value);
  if (!v) return std::nullopt;
  long long secs = Trim(value).size() >= 13 ? *v / 1000 : *v;
  return Until(SystemTime(std::chrono::seconds(secs)), now);
}

std::chrono::milliseconds BackoffDelay(int retry, const RetryPolicy& policy, double jitter01) {
  double base = static_cast<double>(policy.initial_backoff.count());
  for (int i = 1; i < retry && base < static_cast<double>(policy.max_backoff.count()); ++i) base *= 2;
  base = std::min(base, static_cast<double>(policy.max_backoff.count()));
  double scale = 0.5 + 0.5 * std::clamp(jitter01, 0.0, 1.0);
  return std::chrono::milliseconds(static_cast<long long>(base * scale));
}

double RandomJitter() {
  thread_local std::mt19937 rng{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
}

}  // namespace keyroll::providers
