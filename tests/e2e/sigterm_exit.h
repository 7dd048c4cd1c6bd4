// sigterm_exit: the provider-isolation tests' last step. keyroll gets SIGTERM while provider
// calls hang and must exit by itself with status 0 (KeyrollOperator::Stop waits 5 s, then
// kills); the time it took is printed and recorded as the test property
// sigterm_to_exit_seconds.
#pragma once

#include <sys/wait.h>

#include <chrono>
#include <iostream>
#include <string>

#include <gtest/gtest.h>

#include "tests/support/e2e_operator.h"

namespace keyroll::testing {

// False when Stop returned no status at all (the caller ASSERTs on it).
inline bool StopExpectingAnExitBySigterm(KeyrollOperator& keyroll) {
  const auto sent = std::chrono::steady_clock::now();
  auto status = keyroll.Stop();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - sent).count();
  ::testing::Test::RecordProperty("sigterm_to_exit_seconds", std::to_string(seconds));
  std::cerr << "SIGTERM -> exit: " << seconds << " s\n";
  if (!status) return false;
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0)
      << "keyroll did not exit by itself within 5 s of SIGTERM (status " << *status << ")";
  return true;
}

}  // namespace keyroll::testing
