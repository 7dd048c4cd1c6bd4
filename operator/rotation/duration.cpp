// duration.cpp — Go's time.ParseDuration grammar: [-+]?([0-9]*(\.[0-9]*)?[a-z]+)+ or "0",
// with overflow checks (max ~292 years, as int64 nanoseconds).
#include "operator/rotation/duration.h"

#include <cstdint>
#include <limits>
#include <utility>

namespace keyroll::rotation {
namespace {

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

struct Unit {
  std::string_view name;
  int64_t nanos;
};
constexpr Unit kUnits[] = {{"ns", 1},
                           {"us", 1'000},
                           {"\xC2\xB5s", 1'000},  // U+00B5 micro sign
                           {"\xCE\xBCs", 1'000},  // U+03BC Greek mu
                           {"ms", 1'000'000},
                           {"s", 1'000'000'000},
                           {"m", 60'000'000'000},
                           {"h", 3'600'000'000'000}};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

Result<std::chrono::nanoseconds, std::string> ParseDuration(std::string_view s) {
  using R = Result<std::chrono::nanoseconds, std::string>;
  const std::string_view original = s;
  if (s.empty()) return Err{std::string("empty duration")};
  if (s.size() > 64) return Err{std::string("duration is too long")};
  if (s[0] == '-') return Err{std::string("negative durations are not allowed")};
  if (s[0] == '+') s.remove_prefix(1);
  if (s == "0") return R(std::chrono::nanoseconds{0});
  if (s.empty()) return Err{"invalid duration \"" + std::string(original) + "\""};
  int64_t total = 0;
  while (!s.empty()) {
    // Integer part.
    int64_t whole = 0;
    size_t i = 0;
    bool overflow = false;
    while (i < s.size() && IsDigit(s[i])) {
      if (whole > (kMax - (s[i] - '0')) / 10) overflow = true;
      else whole = whole * 10 + (s[i] - '0');
      ++i;
    }
    bool had_whole = i > 0;
    // Fraction part: keep up to 18 digits of precision.
    int64_t frac = 0, scale = 1;
    bool had_frac = false;
    if (i < s.size() && s[i] == '.') {
      ++i;
      while (i < s.size() && IsDigit(s[i])) {
        if (scale < 1'000'000'000'000'000'000) {
          frac = frac * 10 + (s[i] - '0');
          scale *= 10;
        }
        had_frac = true;
        ++i;
      }
    }
    if (!had_whole && !had_frac)
      return Err{"invalid duration \"" + std::string(original) + "\": expected a number"};
    if (overflow) return Err{std::string("duration is too large")};
    size_t u = i;
    while (u < s.size() && s[u] != '.' && !IsDigit(s[u])) ++u;
    std::string_view unit = s.substr(i, u - i);
    if (unit.empty())
      return Err{"missing unit in duration \"" + std::string(original) + "\" (use h, m, s)"};
    const Unit* found = nullptr;
    for (const auto& candidate : kUnits)
      if (candidate.name == unit) found = &candidate;
    if (!found)
      return Err{"unknown unit \"" + std::string(unit) + "\" in duration \"" +
                 std::string(original) + "\" (use h, m, s, ms)"};
    if (whole > kMax / found->nanos) return Err{std::string("duration is too large")};
    int64_t v = whole * found->nanos;
    // frac/scale * unit, computed without overflow in long double.
    v += static_cast<int64_t>(static_cast<long double>(frac) * found->nanos / scale);
    if (v < 0 || total > kMax - v) return Err{std::string("duration is too large")};
    total += v;
    s.remove_prefix(u);
  }
  return R(std::chrono::nanoseconds{total});
}

std::string FormatDuration(std::chrono::nanoseconds d) {
  using namespace std::chrono;
  if (d == nanoseconds{0}) return "0s";
  std::string out;
  if (d < nanoseconds{0}) {
    out = "-";
    d = -d;
  }
  if (d < seconds{1}) {
    if (d.count() % 1'000'000 == 0) return out + std::to_string(d.count() / 1'000'000) + "ms";
    return out + std::to_string(d.count()) + "ns";
  }
  auto h = duration_cast<hours>(d);
  d -= h;
  auto m = duration_cast<minutes>(d);
  d -= m;
  auto s = duration_cast<seconds>(d);
  d -= s;
  if (h.count() > 0) out += std::to_string(h.count()) + "h";
  if (h.count() > 0 || m.count() > 0) out += std::to_string(m.count()) + "m";
  out += std::to_string(s.count());
  if (d.count() > 0) {
    std::string frac = std::to_string(d.count() + 1'000'000'000).substr(1);
    while (!frac.empty() && frac.back() == '0') frac.pop_back();
    out += "." + frac;
  }
  return out + "s";
}

}  // namespace keyroll::rotation
