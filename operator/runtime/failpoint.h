// failpoint: named points in the code where tests make the operator crash or stall, to
// check that it recovers from a crash at exactly that step. Only keyroll-failpoints and the
// tests have them (failpoint.cpp); the shipped keyroll links no_failpoints.cpp instead, where
// Failpoint() never fires. Inert unless the environment variable KEYROLL_FAILPOINTS is set, e.g.
//   KEYROLL_FAILPOINTS="after-intent-written=kill,before-rotate=sleep(500),after-rotate=kill@2"
// Actions: kill (SIGKILL this process, as a crash would), sleep(MS), error (Failpoint()
// returns true; the caller fails the step). "@N" fires only on the Nth hit of that point.
//
// The points (tests/robustness/crash_matrix_test.cpp kills at every one):
//   reconcile  before-/after-provider-read, before-/after-secret-write (create or update),
//              before-/after-restart (each consumer patch; during-restarts = after the first),
//              before-/after-status-write (every status write, the rotation intent too),
//              before-/after-event (each event)
//   rotation   after-intent-written, before-rotate, after-rotate (the provider call)
//   revocation before-revoke (its intent, pendingRevocation, on record), after-revoke (Auth0;
//              tests/e2e/auth0_crash_test.cpp)
//   lease      after-lease-acquired, after-lease-renewed (with --leader-elect)
#pragma once

#include <atomic>
#include <string>
#include <string_view>

namespace keyroll::runtime {

namespace failpoint_detail {
extern std::atomic<bool> armed;
bool Hit(std::string_view name);
}  // namespace failpoint_detail

// Marks a point. Returns true only when an "error" action fires here. A single relaxed
// atomic load when no failpoints are configured.
inline bool Failpoint(std::string_view name) {
  if (!failpoint_detail::armed.load(std::memory_order_relaxed)) return false;
  return failpoint_detail::Hit(name);
}

// Replaces the configuration (same syntax as KEYROLL_FAILPOINTS; "" disarms all).
// Returns an error message for a spec that does not parse (and leaves failpoints disarmed).
std::string ConfigureFailpoints(std::string_view spec);

}  // namespace keyroll::runtime
