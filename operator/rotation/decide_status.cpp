// decide_status.cpp — consumers' status, conditions, phase and nextRotationTime, plus the
// events that mark condition transitions (never emitted in steady state).
#include "operator/rotation/conditions.h"
#include "operator/rotation/decide_internal.h"
#include "operator/rotation/vocabulary.h"

namespace keyroll::rotation::detail {
namespace {

bool IsTrueReason(std::string_view r) {
  return r == vocab::kReasonSynced || r == vocab::kReasonRotated ||
         r == vocab::kReasonOutOfBandRotation || r == vocab::kReasonDrift;
}

// The consumers condition: the most serious state first.
std::pair<std::string, std::string> ConsumersVerdict(const std::vector<ConsumerJudgement>& list) {
  if (list.empty()) return {std::string(vocab::kReasonNoConsumers), "no consumer workloads"};
  for (auto [state, reason] : {std::pair{ConsumerState::NotFound, vocab::kReasonConsumerNotFound},
                               std::pair{ConsumerState::RolloutFailed, vocab::kReasonConsumerRolloutFailed},
                               std::pair{ConsumerState::CannotComplete, vocab::kReasonConsumerCannotComplete}}) {
    std::string names;
    for (const auto& c : list)
      if (c.state == state) names += (names.empty() ? "" : ", ") + DisplayName(c.kind, c.name) + " (" + c.message + ")";
    if (!names.empty()) return {std::string(reason), names};
  }
  std::string names;
  size_t stale = 0;
  for (const auto& c : list)
    if (c.state != ConsumerState::UpToDate && ++stale <= 5)
      names += (names.empty() ? "" : ", ") + DisplayName(c.kind, c.name) + " (" + c.message + ")";
  if (stale > 5) names += " and " + std::to_string(stale - 5) + " more";
  if (stale) return {std::string(vocab::kReasonConsumerStale), names};
  return {std::string(vocab::kReasonUpToDate), std::to_string(list.size()) + " consumers up to date"};
}

const std::string& ReasonOf(const std::vector<Condition>& conds, std::string_view type) {
  static const std::string kNone;
  const Condition* c = FindCondition(conds, type);
  return c ? c->reason : kNone;
}

}  // namespace

void FillStatus(DecideContext& c, const Verdict& v) {
  const auto gen = c.o.resource.meta.generation;
  const Status& old = c.o.resource.status;
  Status& s = c.next;
  auto& conds = s.conditions;

  // Consumers, sorted by name (judgements arrive sorted).
  s.consumers.clear();
  size_t ready = 0;
  for (const auto& j : v.consumers) {
    s.consumers.push_back({std::string(KindName(j.kind)), j.name, j.state == ConsumerState::UpToDate, j.message,
                           j.restarts, j.restarted_keys_hash});
    ready += j.state == ConsumerState::UpToDate;
  }
  s.consumers_ready = std::to_string(ready) + "/" + std::to_string(v.consumers.size());

  // KeysSynced.
  const std::string& secret_name = c.spec.target.secret_name;
  if (v.secret == SecretState::Conflict) {
    SetCondition(conds, vocab::kCondKeysSynced, vocab::kFalse, vocab::kReasonSecretConflict,
                 "Secret \"" + secret_name + "\" exists and is not managed by keyroll; it is left untouched",
                 gen, c.now);
  } else if (!c.provider) {
    std::string msg = "cannot read the provider's keys";
    if (c.provider_error)
      msg += std::string(" (") + ToString(c.provider_error->kind) + "): " + c.provider_error->message;
    SetCondition(conds, vocab::kCondKeysSynced, vocab::kFalse, vocab::kReasonProviderError, msg, gen, c.now);
  } else {
    std::string reason = c.keys_origin;
    if (reason.empty()) reason = ReasonOf(old.conditions, vocab::kCondKeysSynced);
    if (!IsTrueReason(reason)) reason = std::string(vocab::kReasonSynced);
    SetCondition(conds, vocab::kCondKeysSynced, vocab::kTrue, reason,
                 "Secret \"" + secret_name + "\" holds the provider's keys (current " +
                     c.provider->current_fingerprint + ", next " + c.provider->next_fingerprint + ")",
                 gen, c.now);
  }

  // ConsumersUpToDate.
  auto [consumer_reason, consumer_msg] = ConsumersVerdict(v.consumers);
  bool consumers_ok = consumer_reason == vocab::kReasonUpToDate || consumer_reason == vocab::kReasonNoConsumers;
  SetCondition(conds, vocab::kCondConsumersUpToDate, consumers_ok ? vocab::kTrue : vocab::kFalse,
               consumer_reason, consumer_msg, gen, c.now);

  // RotationAllowed.
  if (s.pending_rotation) {
    SetCondition(conds, vocab::kCondRotationAllowed, vocab::kFalse, vocab::kReasonRotationPending,
                 "rotation in progress (" + s.pending_rotation->trigger + ")", gen, c.now);
  } else if (v.gate) {
    // A due rotation is named in the message, so `kubectl describe` says what waits and why
    // (and a request that arrives while the gate is already closed changes the condition).
    std::string message = v.due ? "rotation due (" + v.due->message + ") waits: " + v.gate->message
                                : v.gate->message;
    SetCondition(conds, vocab::kCondRotationAllowed, vocab::kFalse, v.gate->reason, message, gen, c.now);
  } else {
    SetCondition(conds, vocab::kCondRotationAllowed, vocab::kTrue, vocab::kReasonAllowed,
                 "the Secret matches the provider and every consumer is up to date", gen, c.now);
  }

  // Ready: the first problem, in order of seriousness.
  std::string phase;
  std::string ready_reason, ready_msg;
  if (v.secret == SecretState::Conflict) {
    ready_reason = vocab::kReasonSecretConflict;
    ready_msg = FindCondition(conds, vocab::kCondKeysSynced)->message;
    phase = vocab::kPhaseFailed;
  } else if (!c.provider) {
    ready_reason = vocab::kReasonProviderError;
    ready_msg = FindCondition(conds, vocab::kCondKeysSynced)->message;
    phase = vocab::kPhaseBlocked;
  } else if (c.o.account_conflict_with) {
    ready_reason = vocab::kReasonConflict;
    ready_msg = "SigningKeyRotation \"" + *c.o.account_conflict_with +
                "\" (older) manages the same provider account; this one only syncs";
    phase = vocab::kPhaseBlocked;
  } else if (s.pending_rotation) {
    ready_reason = vocab::kReasonRotationPending;
    ready_msg = "rotation in progress (" + s.pending_rotation->trigger + ")";
    phase = vocab::kPhaseRotating;
  } else if (c.plan.secret.write_keys) {
    ready_reason = vocab::kReasonSyncing;
    ready_msg = "writing the provider's keys to Secret \"" + secret_name + "\"";
    phase = vocab::kPhaseSyncing;
  } else if (!consumers_ok) {
    ready_reason = consumer_reason;
    ready_msg = consumer_msg;
    phase = consumer_reason == vocab::kReasonConsumerStale ? vocab::kPhaseWaitingForConsumers
                                                          : vocab::kPhaseBlocked;
  }
  if (ready_reason.empty()) {
    SetCondition(conds, vocab::kCondReady, vocab::kTrue, vocab::kReasonReady,
                 "keys synced and every consumer up to date", gen, c.now);
    phase = vocab::kPhaseReady;
  } else {
    SetCondition(conds, vocab::kCondReady, vocab::kFalse, ready_reason, ready_msg, gen, c.now);
  }
  s.phase = phase;

  s.next_rotation_time = NextRotationTime(
      PolicyInput{c.spec.rotation, s, c.o.resource.meta.annotations.contains(std::string(vocab::kAnnotationRotateRequest))
                                          ? c.o.resource.meta.annotations.at(std::string(vocab::kAnnotationRotateRequest))
                                          : std::string_view(),
                  c.o.resource.meta.creation_timestamp});

  // Events on transitions only.
  const std::string& old_keys_reason = ReasonOf(old.conditions, vocab::kCondKeysSynced);
  const std::string& new_keys_reason = ReasonOf(conds, vocab::kCondKeysSynced);
  if (new_keys_reason != old_keys_reason) {
    if (new_keys_reason == vocab::kReasonSecretConflict)
      AddEvent(c, vocab::kEventWarning, vocab::kEventSecretConflict, FindCondition(conds, vocab::kCondKeysSynced)->message);
    if (new_keys_reason == vocab::kReasonProviderError)
      AddEvent(c, vocab::kEventWarning, vocab::kEventProviderError, FindCondition(conds, vocab::kCondKeysSynced)->message);
  }
  const Condition* old_allowed = FindCondition(old.conditions, vocab::kCondRotationAllowed);
  const Condition* new_allowed = FindCondition(conds, vocab::kCondRotationAllowed);
  // Once per blocked request: when the condition starts saying that this due rotation waits.
  if (v.due && v.gate && (!old_allowed || old_allowed->reason != new_allowed->reason ||
                          old_allowed->status != new_allowed->status ||
                          old_allowed->message != new_allowed->message))
    AddEvent(c, vocab::kEventNormal, vocab::kEventRotationBlocked,
             "rotation due (" + v.due->message + ") waits: " + v.gate->reason + ": " + v.gate->message);
}

}  // namespace keyroll::rotation::detail
