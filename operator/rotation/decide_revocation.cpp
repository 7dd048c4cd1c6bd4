// decide_revocation.cpp — revoking the provider's previous key (Auth0, rotation.revokePrevious)
// with a recorded intent, status.pendingRevocation (crash-safe protocol, decide.h).
#include "operator/rotation/decide.h"
#include "operator/rotation/decide_internal.h"
#include "operator/rotation/revoke.h"
#include "operator/rotation/vocabulary.h"

namespace keyroll::rotation::detail {
namespace {

// A revoke whose answer was lost may have happened: only a read of the provider's keys tells.
bool MayHaveHappened(ProviderErrorKind kind) {
  return kind == ProviderErrorKind::OutcomeUnknown || kind == ProviderErrorKind::Timeout;
}

// The answer of a revoke made in this reconcile: an event and a metric; the intent is cleared
// unless the answer leaves the outcome unknown. No second call.
void NoteRevokeOutcome(DecideContext& c) {
  const RevokeOutcome& out = *c.o.revoke_outcome;
  if (out.error) {
    AddEvent(c, vocab::kEventWarning, vocab::kEventRevokeFailed,
             "revoking previous key " + out.kid + " failed (" + ToString(out.error->kind) + "): " +
                 out.error->message + "; keyroll re-reads the provider's keys before deciding again");
    c.plan.revoke_result = std::string(vocab::kRevokeResultFailed);
    c.plan.backoff = true;
    if (MayHaveHappened(out.error->kind)) return;  // the intent stays until a read tells
  } else {
    c.plan.revoke_result =
        std::string(out.revoked ? vocab::kRevokeResultSucceeded : vocab::kRevokeResultNotPrevious);
  }
  c.next.pending_revocation.reset();
}

}  // namespace

void ResolveRevocation(DecideContext& c) {
  if (c.o.revoke_outcome) return NoteRevokeOutcome(c);
  // No intent, or the provider's keys unknown (the intent stays: nothing can be told yet).
  if (!c.next.pending_revocation || !c.provider) return;
  const PendingRevocation pend = *c.next.pending_revocation;
  // Keys read in or before the second of the intent may predate its call: wait for a later read.
  if (!c.o.provider.read_at || *c.o.provider.read_at <= pend.started_at) {
    c.plan.requeue_after = Seconds{1};
    return;
  }
  const std::string& previous = c.provider->previous_kid;
  c.next.pending_revocation.reset();
  if (!pend.kid.empty() && previous == pend.kid) {
    c.revocation_retry = pend;  // not revoked: the holds judge it again (DecideRevocation)
  } else if (!pend.kid.empty() && previous.empty()) {
    c.revoked_intent = pend;  // revoked before the answer was taken (a crash): done
    c.plan.revoke_result = std::string(vocab::kRevokeResultSucceeded);
  } else {
    AddEvent(c, vocab::kEventWarning, vocab::kEventRevocationNotApplied,
             "key " + pend.kid + " of the revocation intent of " + FormatTimestamp(pend.started_at) +
                 " is no longer the provider's previous key (" + (previous.empty() ? "none" : previous) +
                 "): nothing to revoke");
    c.plan.revoke_result = std::string(vocab::kRevokeResultNotPrevious);
  }
}

bool DecideRevocation(DecideContext& c, const Verdict& v) {
  const Observed& o = c.o;
  // One call per reconcile and per intent (a rotation is a hold: RotationInProgress).
  if (o.revoke_outcome || c.next.pending_revocation) return true;
  RevokeInput in{c.spec, c.next, c.provider, v.secret, v.consumers, o.account_conflict_with.has_value(),
                 c.plan.rotate, ReadFresh(c)};
  const std::optional<Violation> held = RevokeHeld(in);
  if (!held) {
    c.next.pending_revocation = PendingRevocation{c.provider->previous_kid, c.now, c.provider->keys_hash};
    c.plan.revoke_kid = c.provider->previous_kid;
    return true;
  }
  if (held->reason == "ProviderReadNotFresh") return false;
  if (c.revocation_retry)
    AddEvent(c, vocab::kEventWarning, vocab::kEventRevocationNotApplied,
             "previous key " + c.revocation_retry->kid + " was not revoked (revocation intent of " +
                 FormatTimestamp(c.revocation_retry->started_at) + ") and is held now: " + held->reason + ": " +
                 held->message);
  return true;
}

}  // namespace keyroll::rotation::detail
