// decide_pending.cpp — resolving status.pendingRotation (crash-safe protocol, decide.h).
#include "operator/rotation/conditions.h"
#include "operator/rotation/decide.h"
#include "operator/rotation/decide_internal.h"
#include "operator/rotation/vocabulary.h"

namespace keyroll::rotation::detail {
namespace {

// Keep the intent; say why in Ready/RotationAllowed; come back at `until` (if given), or at
// the next provider read if that is sooner: a read that shows the expected keys confirms the
// rotation before the settle time (an unknown rotate outcome is usually a rotation that
// happened), while only a read after it may conclude that the rotation did not happen.
void Wait(DecideContext& c, const std::string& message, std::optional<Time> until) {
  auto gen = c.o.resource.meta.generation;
  c.next.phase = std::string(vocab::kPhaseRotating);
  SetCondition(c.next.conditions, vocab::kCondRotationAllowed, vocab::kFalse,
               vocab::kReasonRotationPending, message, gen, c.now);
  SetCondition(c.next.conditions, vocab::kCondReady, vocab::kFalse, vocab::kReasonRotationPending,
               message, gen, c.now);
  if (until && c.o.provider.read_at) until = std::min(*until, *c.o.provider.read_at + c.spec.refresh_interval);
  if (until) c.plan.requeue_after = std::max(Seconds{1}, *until - c.now);
  if (c.next != c.o.resource.status) c.plan.status = c.next;
}

void MarkRequestsHandled(DecideContext& c, const PendingRotation& p) {
  if (!p.request_id.empty()) c.next.last_handled_request_id = p.request_id;
  if (!p.rotate_request.empty()) c.next.last_handled_rotate_request = p.rotate_request;
}

}  // namespace

bool ResolvePending(DecideContext& c) {
  const PendingRotation pend = *c.next.pending_rotation;
  const Time settle_end = pend.started_at + c.o.pending_settle;
  const auto& outcome = c.o.rotate_outcome;

  if (outcome && outcome->error) {
    std::string what = std::string("rotate call failed (") + ToString(outcome->error->kind) +
                       "): " + outcome->error->message;
    AddEvent(c, vocab::kEventWarning, vocab::kEventRotationFailed,
             what + "; keyroll re-reads the provider's keys before deciding again");
    c.plan.rotation_result = std::string(vocab::kRotationResultFailed);
    Wait(c, what + "; confirming with the provider's keys after " + FormatTimestamp(settle_end),
         settle_end);
    return true;
  }
  if (!c.provider) {
    std::string what = "rotation in progress; cannot read the provider's keys to confirm it";
    if (c.provider_error)
      what += std::string(" (") + ToString(c.provider_error->kind) + "): " + c.provider_error->message;
    c.plan.backoff = true;
    Wait(c, what, std::nullopt);
    return true;
  }
  const ProviderKeys& pk = *c.provider;
  if (!pend.expected_current_fingerprint.empty() &&
      pk.current_fingerprint == pend.expected_current_fingerprint) {
    c.next.rotation_count += 1;
    c.next.last_rotation_time = c.now;
    MarkRequestsHandled(c, pend);
    c.next.pending_rotation.reset();
    c.keys_origin = std::string(vocab::kReasonRotated);
    AddEvent(c, vocab::kEventNormal, vocab::kEventRotated,
             "rotated keys (" + pend.trigger + "): current " + pend.from_fingerprint + " -> " +
                 pk.current_fingerprint + ", next " + pk.next_fingerprint);
    c.plan.rotation_result = std::string(vocab::kRotationResultSucceeded);
    return false;
  }
  if (!pend.from_fingerprint.empty() && pk.current_fingerprint == pend.from_fingerprint) {
    Time read_time = outcome ? c.now : c.o.provider.read_at.value_or(Time{});
    if (read_time < settle_end) {
      // A failed rotate call keeps saying why (e.g. Auth0's rate limit or a missing scope)
      // until the intent is resolved, instead of a generic "in progress".
      const Condition* old = FindCondition(c.o.resource.status.conditions, vocab::kCondRotationAllowed);
      bool failed = old && old->reason == vocab::kReasonRotationPending && old->message.starts_with("rotate call failed");
      Wait(c, failed ? old->message
                     : "rotation in progress (" + pend.trigger + "); confirming with the provider's keys after " +
                           FormatTimestamp(settle_end),
           settle_end);
      return true;
    }
    c.next.pending_rotation.reset();
    AddEvent(c, vocab::kEventWarning, vocab::kEventRotationNotApplied,
             "the provider's keys are unchanged since the rotation intent at " +
                 FormatTimestamp(pend.started_at) + ": the rotation did not happen; the gate decides again");
    c.plan.rotation_result = std::string(vocab::kRotationResultNotApplied);
    return false;
  }
  c.next.pending_rotation.reset();
  MarkRequestsHandled(c, pend);
  c.keys_origin = std::string(vocab::kReasonDrift);
  AddEvent(c, vocab::kEventWarning, vocab::kEventDrift,
           "the provider's keys were changed by someone else during the rotation (expected current " +
               pend.expected_current_fingerprint + ", found " + pk.current_fingerprint +
               "); syncing the Secret, no further rotation until consumers catch up");
  c.plan.rotation_result = std::string(vocab::kRotationResultDrift);
  return false;
}

}  // namespace keyroll::rotation::detail
