// revoke.h — when keyroll revokes the provider's previous key (Auth0, rotation.revokePrevious).
// The previous key is the one current before the last rotation; Auth0 keeps it in the JWKS
// until it is revoked. keyroll revokes it only when nobody can still need it: a chain of
// small named holds, like the gate (gate.h), each a pure function answering why not:
//   NotRequested, NoPreviousKey, AccountConflict, Suspended, RotationInProgress,
//   SecretDiffersFromProvider, ConsumerNotUpToDate, ProviderReadNotFresh
// The last one is not a refusal: Decide asks for a fresh read first (never revoke on a
// stale list). Before the call keyroll records status.pendingRevocation on the API server
// (decide.h, crash-safe revocation): after a crash it reads the provider again and tells a
// revocation that happened from one that did not; one that did not is judged by these holds
// again. The provider also refuses to revoke a key that is no longer the previous one.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "operator/rotation/consumer_state.h"
#include "operator/rotation/gate.h"

namespace keyroll::rotation {

struct RevokeInput {
  const Spec& spec;
  const Status& status;                       // status as Decide will write it
  const std::optional<ProviderKeys>& provider;
  SecretState secret = SecretState::InSync;   // as observed before this reconcile's writes
  const std::vector<ConsumerJudgement>& consumers;
  bool account_conflict = false;
  bool rotating = false;                      // pendingRotation set or a rotation planned
  bool read_fresh = false;                    // the provider read is < kFreshReadForRotation old
};

// The first hold that applies ({reason, message}), or nullopt: revoke provider->previous_kid.
std::optional<Violation> RevokeHeld(const RevokeInput& in);

}  // namespace keyroll::rotation
