// decide_internal.h — (internal) the working state Decide passes between its steps:
// pending-rotation resolution (decide_pending.cpp) and status/conditions
// (decide_status.cpp).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "operator/rotation/consumer_state.h"
#include "operator/rotation/gate.h"
#include "operator/rotation/observed.h"
#include "operator/rotation/plan.h"
#include "operator/rotation/policy.h"

namespace keyroll::rotation::detail {

struct DecideContext {
  const Observed& o;
  const Spec& spec;
  Time now;
  Status next;  // the status being built (starts as the observed one)
  Plan plan;
  std::optional<ProviderKeys> provider;        // what the provider has, if known
  std::optional<ProviderError> provider_error;  // why not, otherwise
  std::string keys_origin;  // set when this reconcile learns how the keys changed
  // status.pendingRevocation found unresolved (a crash): its key is still the previous key and
  // the holds judge it again (retry), or a read shows it revoked (revoked_intent).
  std::optional<PendingRevocation> revocation_retry;
  std::optional<PendingRevocation> revoked_intent;
};

void AddEvent(DecideContext& c, std::string_view type, std::string_view reason, std::string message);

// Resolves status.pendingRotation. Returns true when Decide must stop here (waiting:
// the plan already holds the status to write and the requeue).
bool ResolvePending(DecideContext& c);

// status.pendingRevocation with this reconcile's revoke outcome, or else a provider read made
// after the intent (decide_revocation.cpp).
void ResolveRevocation(DecideContext& c);

// Consumers' status, the four conditions, phase, nextRotationTime; events on transitions.
struct Verdict {
  SecretState secret = SecretState::InSync;
  std::vector<ConsumerJudgement> consumers;
  std::optional<Violation> gate;
  std::optional<Trigger> due;
};
void FillStatus(DecideContext& c, const Verdict& v);

// Records the intent to revoke the previous key and plans the call when no hold applies
// (revoke.h). Returns false when the provider's keys must be read again first.
bool DecideRevocation(DecideContext& c, const Verdict& v);

// Whether the provider's keys are fresh enough to write to the provider on (rotate, revoke):
// read within kFreshReadForRotation, or the answer of this reconcile's rotate.
bool ReadFresh(const DecideContext& c);

std::string Short(std::string_view hash);  // first 8 characters, for messages

}  // namespace keyroll::rotation::detail
