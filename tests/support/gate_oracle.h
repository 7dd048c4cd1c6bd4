// gate_oracle: the consumer gate judged in the API server's own order, from the fake's write
// journal (GET /_fake/journal: every write with the resourceVersion it produced; the fake has
// one counter, so that is the order in which the server took the writes).
// keyroll records its intent on the API server before each provider write it makes (DESIGN.md,
// crash-safe rotation; decide.h, crash-safe revocation): status.pendingRotation before a rotate,
// status.pendingRevocation before revoking Auth0's previous key. So the gate held when, for
// each status write of the resource that records a new intent, every consumer had already had a
// rollout-complete write (kubectl's rules, RolloutComplete) of the keys of that moment earlier in
// the journal (a rotation: the status.keys.keysHash the intent write carries; a revocation: the
// intent's own keysHash, the keys the consumers were judged to hold); and the provider made
// exactly one such write per distinct intent (a rotation by fromFingerprint: it moves the current
// key away from it, so one per fingerprint; a revocation by kid: a key is revoked once), so none
// happened without an intent. A retried intent (a crash, a refused call) is the same one.
// A real cluster has no journal: tests call this only on the fake (KEYROLL_SKIP_UNLESS_FAKE).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace keyroll::testing {

// Why a test that judges the gate ends as skipped on a real cluster (KEYROLL_SKIP_UNLESS_FAKE).
inline constexpr const char* kGateNeedsJournal =
    "the consumer gate in the API server's order (only the fake keeps a write journal)";

// Which provider write is judged: rotations (status.pendingRotation) or Auth0's revocations of
// the previous key (status.pendingRevocation).
enum class GateIntent { kRotation, kRevocation };

// Empty when the gate held for SigningKeyRotation `skr` over `consumers` (display names: "api",
// "StatefulSet/worker", "Rollout/canary"); one line per violation otherwise (no key material).
// `provider_count`: the rotations (or revocations) the provider counted through its API
// (out-of-band ones a test made in a console taken off).
std::vector<std::string> GateViolationsInServerOrder(const nlohmann::json& journal, const std::string& skr,
                                                     const std::vector<std::string>& consumers, int provider_count,
                                                     GateIntent intent = GateIntent::kRotation);

}  // namespace keyroll::testing
