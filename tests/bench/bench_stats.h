// bench_stats: what the hand-run benchmarks print — min/median/p90/max of a sample in
// milliseconds, as one row of a plain-text table — and a steady-clock stopwatch helper.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

namespace keyroll::bench {

using Clock = std::chrono::steady_clock;

inline double MillisBetween(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double, std::milli>(to - from).count();
}

struct Summary {
  size_t n = 0;
  double min = 0, median = 0, p90 = 0, max = 0;
};

// Nearest-rank percentiles (p90 of 20 samples is the 18th smallest); the median of an even
// count is the mean of the two middle values.
inline Summary Summarise(std::vector<double> v) {
  Summary s;
  s.n = v.size();
  if (v.empty()) return s;
  std::sort(v.begin(), v.end());
  s.min = v.front();
  s.max = v.back();
  size_t mid = v.size() / 2;
  s.median = v.size() % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
  size_t rank = (v.size() * 90 + 99) / 100;  // ceil(0.9 n), 1-based
  s.p90 = v[std::max<size_t>(rank, 1) - 1];
  return s;
}

// Nearest-rank percentile p (0-100) of a sample; 0 for an empty one.
inline double Percentile(std::vector<double> v, int p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t rank = (v.size() * static_cast<size_t>(p) + 99) / 100;
  return v[std::max<size_t>(rank, 1) - 1];
}

inline void PrintHeader(const char* first_column) {
  std::printf("%-44s %4s %9s %9s %9s %9s\n", first_column, "n", "min", "median", "p90", "max");
}

inline void PrintRow(const std::string& what, const Summary& s, const char* unit = "ms") {
  std::printf("%-44s %4zu %7.1f%s %7.1f%s %7.1f%s %7.1f%s\n", what.c_str(), s.n, s.min, unit, s.median, unit,
              s.p90, unit, s.max, unit);
}

}  // namespace keyroll::bench
