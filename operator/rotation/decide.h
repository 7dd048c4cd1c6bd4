// decide.h — the heart of keyroll: Plan Decide(observed, now). A pure function of what
// the controller observed and the time it passes in; it never reads a clock, never
// does I/O.
//
// How the controller applies a Plan, in this order:
//  0. read_provider: read the provider's keys (GET), record read_at = time of the read,
//     call Decide again; apply only that second plan. (Decide never asks twice for a
//     read made less than kProviderRetryAfter ago.)
//  1. secret: Create (409 AlreadyExists -> requeue) or Update with the observed
//     resourceVersion as precondition (409 -> requeue). On failure stop here (backoff).
//  2. restarts: merge-patch each Deployment's pod template annotation. Idempotent.
//  3. status: write through the status subresource with the resource's observed
//     resourceVersion as precondition. 409 -> requeue (and, if `rotate`, do NOT rotate).
//  4. rotate: only if the status write in 3 succeeded: call the provider's rotate ONCE
//     (never retried), then call Decide again with rotate_outcome (and the status just
//     written, with its new resourceVersion) and apply that plan from step 1.
//  4b. revoke_kid (Auth0, rotation.revokePrevious; never with rotate): only when the status
//     on record (written in 3, or observed with no status to write) holds
//     pendingRevocation for that kid: revoke that key ONCE (never retried), then call Decide
//     again with revoke_outcome and apply that plan from step 1 (the Secret's jwks.json loses
//     the key, the intent is cleared). On an error the controller forgets its provider read,
//     so the next Decide re-reads before anything is revoked again. Holds: revoke.h.
//  5. events: emit after the writes succeeded (best effort; at most lost, never doubled).
//  6. requeue after min(requeue_after, backoff).
//
// Crash-safe rotation (DESIGN.md): the rotate call is not idempotent, so its intent is
// written first and every later state is recognised from observations alone:
//  - Gate open and a rotation due: the plan writes status.pendingRotation {startedAt,
//    fromFingerprint = provider current, expectedCurrentFingerprint = provider next}
//    with the resourceVersion precondition (two writers cannot both pass) and sets
//    `rotate`. The provider read behind it must be fresh (< kFreshReadForRotation).
//  - Crash after the intent, before the call: pendingRotation is set; the provider still
//    shows fromFingerprint. Decide waits until startedAt + kPendingSettle (longer than
//    any provider timeout, so a lost in-flight call has landed or died), re-reads, sees
//    current == from: "not applied", clears the intent, and the gate decides again.
//  - Call made but answer lost (timeout/crash): the next reads show current == expected
//    -> the rotation happened (continue as success); or current == from after the settle
//    time -> it did not (clear, gate again). Never a blind retry.
//  - Rotate succeeded, Secret not yet written: pendingRotation set, provider current ==
//    expected -> count the rotation, write the Secret, clear pendingRotation, restart
//    consumers, event Rotated. Counted once: the count moves with clearing the intent
//    in the same status write.
//  - Secret written, pending not cleared: same as above; the Secret already matches so
//    only the status is written (rotation counted there, once).
//  - Restarts partially done: restarts are keyed by keysHash, so the next reconcile
//    restarts exactly the consumers whose template lacks the hash (within budget).
//  - Anything else (provider current is neither from nor expected): someone else
//    rotated. The Secret is synced to the provider, pendingRotation cleared, the request
//    counted as handled, KeysSynced reason Drift + event Drift, and the Drift gate policy
//    holds further rotations until every consumer has the new keys.
//  - Provider keys differ from status.keys with no pendingRotation: an out-of-band
//    rotation (e.g. the console). Sync the Secret, event OutOfBandRotation, KeysSynced
//    reason OutOfBandRotation, and the same Drift hold.
//
// Crash-safe revocation (Auth0's previous key; the revoke call is not repeatable either, and
// the API server should hold every revocation in its order, like every rotation):
//  - No hold applies (revoke.h) on a fresh read: the plan writes status.pendingRevocation
//    {kid = provider previous, startedAt, keysHash = the keys every consumer was judged to
//    hold} and sets revoke_kid; the controller calls only once that status is on record.
//  - The call answered: revoked, or "no longer the previous key" -> the intent is cleared in
//    the next status write (metric succeeded / not_previous; event PreviousKeyRevoked); a
//    definite error (refused) -> cleared, event RevokeFailed, backoff; an answer lost
//    (OutcomeUnknown, Timeout) -> the intent stays and the controller forgets its read.
//  - An intent on record with no answer (a crash before or after the call, a lost answer):
//    Decide waits for keys read after startedAt. The previous key is gone -> the revocation
//    happened: cleared, counted succeeded, event PreviousKeyRevoked "by keyroll". Another key
//    is previous -> cleared, not_previous, event RevocationNotApplied. Still the previous key
//    -> the revocation did not happen: the intent is cleared and the holds judge it again on
//    this read: a new intent and call when none applies, else event RevocationNotApplied
//    with the hold's reason. So a key is revoked at most once per intent, and only after a
//    fresh read with no hold.
// Steady state: when nothing differs, the plan is empty (no status write, no events):
// lastTransitionTime moves only when a condition's status changes, keys.syncedAt only
// when the provider's fingerprints change, and messages contain no changing times.
#pragma once

#include "operator/rotation/observed.h"
#include "operator/rotation/plan.h"

namespace keyroll::rotation {

// kPendingSettle (observed.h): a "not applied" verdict on a pending rotation needs a provider
// read this long after the intent was written (Observed::pending_settle, configurable).
// Recording an intent requires a provider read at most this old.
inline constexpr Seconds kFreshReadForRotation{10};
// After a failed provider read, Decide asks for another read only this much later.
inline constexpr Seconds kProviderRetryAfter{5};

Plan Decide(const Observed& observed, Time now);

}  // namespace keyroll::rotation
