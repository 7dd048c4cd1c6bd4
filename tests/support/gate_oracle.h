// gate_oracle: the consumer gate judged in the API server's own order, from the fake's write
// journal (GET /_fake/journal: every write with the resourceVersion it produced; the fake has
// one counter, so that is the order in which the server took the writes).
// keyroll records the intent to rotate (status.pendingRotation) on the API server before it
// calls the provider's rotate (DESIGN.md, crash-safe rotation). So the gate held when, for each
// status write of the resource that records a new intent, every consumer had already had a
// rollout-complete write (kubectl's rules, RolloutComplete) of the keys of that moment (the
// status.keys.keysHash the intent write carries) earlier in the journal; and the provider
// rotated exactly once per distinct intent (by fromFingerprint: a rotation moves the current key
// away from it, so one per fingerprint), so no rotation happened without an intent.
// A real cluster has no journal: tests call this only on the fake (KEYROLL_SKIP_UNLESS_FAKE).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace keyroll::testing {

// Why a test that judges the gate ends as skipped on a real cluster (KEYROLL_SKIP_UNLESS_FAKE).
inline constexpr const char* kGateNeedsJournal =
    "the consumer gate in the API server's order (only the fake keeps a write journal)";

// Empty when the gate held for SigningKeyRotation `skr` over `consumers` (display names: "api",
// "StatefulSet/worker", "Rollout/canary"); one line per violation otherwise (no key material).
// `provider_rotations`: what the provider counted through its API (out-of-band rotations a
// test made in a console taken off).
std::vector<std::string> GateViolationsInServerOrder(const nlohmann::json& journal, const std::string& skr,
                                                     const std::vector<std::string>& consumers,
                                                     int provider_rotations);

}  // namespace keyroll::testing
