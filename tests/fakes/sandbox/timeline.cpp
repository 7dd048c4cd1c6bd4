#include "tests/fakes/sandbox/timeline.h"

#include <cstdio>

namespace keyroll::sandbox {

void Timeline::Say(const std::string& line) {
  std::lock_guard lock(mu_);
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  std::printf("[%6.1fs] %s\n", s, line.c_str());
  std::fflush(stdout);
}

void Timeline::Detail(const std::string& line) {
  std::lock_guard lock(mu_);
  std::printf("          %s\n", line.c_str());
  std::fflush(stdout);
}

}  // namespace keyroll::sandbox
