// robustness_invariants: what must hold once keyroll has recovered from a crash or a fault
// (issue 6), checked from the outside — the QStash fake, the cluster, the simulated
// deployment controller and the fake API server's write journal of an E2EEnvironment:
//   - the Secret holds exactly the provider's keys;
//   - the provider rotated through its API exactly as often as rotations were due;
//   - no rotation intent was recorded before each consumer had rolled out the keys of that
//     moment, in the API server's order, and one intent per rotation (gate_oracle.h; fake only);
//   - the status agrees: no pendingRotation, rotationCount = rotations due, fingerprints and
//     keysHash of the provider's keys, the last request handled, Ready, every consumer up to
//     date and rolled out on those keys;
//   - no Rotated event was emitted twice (events may be lost in a crash, never doubled).
// A RotationLedger is what the test did, so the checker knows what keyroll had to do.
#pragma once

#include <chrono>
#include <set>
#include <string>
#include <vector>

#include "tests/support/e2e_environment.h"

namespace keyroll::testing {

struct RotationLedger {
  std::string skr;
  std::string secret;
  std::vector<std::string> consumers;
  int rotations_due = 0;        // requests issued; each must be handled by exactly one rotation
  std::set<int> console_counts{};  // the fake's rotation counter right after each console rotation
  std::string request_id{};     // the last spec.rotation.requestID set ("" = none)
  std::string rotate_request{}; // the last keyroll.dev/rotate-request annotation ("" = none)

  int console_rotations() const { return static_cast<int>(console_counts.size()); }
  // Rotates the account in the fake's "console" and records it.
  void ConsoleRotate(E2EEnvironment& env);
};

// True when the resource has settled on what the ledger expects (the checks below would
// pass); polls until then or `timeout`.
bool WaitConverged(E2EEnvironment& env, const RotationLedger& ledger,
                   std::chrono::milliseconds timeout = std::chrono::seconds(60));

// Every invariant that does not hold, one line each (fingerprints at most, no key material).
// The consumer gate is judged only on the fake (gate_oracle.h): on a real cluster a test that
// relies on it ends with KEYROLL_SKIP_UNLESS_FAKE(cluster, kGateNeedsJournal).
std::vector<std::string> InvariantViolations(E2EEnvironment& env, const RotationLedger& ledger);

// The requests keyroll (User-Agent "keyroll/...") made to the fake API server so far, by verb
// and in total ({"total": N, "by_verb": {...}}); zeros when there were none.
nlohmann::json OperatorRequests(TestCluster& cluster);

}  // namespace keyroll::testing
