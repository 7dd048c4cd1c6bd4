// decide.cpp — Decide: validation, provider freshness, pending resolution, key sync,
// consumer restarts, gate and rotation intent, status and requeue. See decide.h.
#include "operator/rotation/decide.h"

#include <algorithm>

#include "operator/rotation/conditions.h"
#include "operator/rotation/decide_internal.h"
#include "operator/rotation/judge_consumers.h"
#include "operator/rotation/rollout.h"
#include "operator/rotation/secret_plan.h"
#include "operator/rotation/vocabulary.h"

namespace keyroll::rotation {

namespace detail {

void AddEvent(DecideContext& c, std::string_view type, std::string_view reason, std::string message) {
  c.plan.events.push_back({std::string(type), std::string(reason), std::move(message)});
}

std::string Short(std::string_view hash) { return std::string(hash.substr(0, 8)); }

bool ReadFresh(const DecideContext& c) {
  const Observed& o = c.o;
  return o.rotate_outcome || (o.provider.read_at && c.now - *o.provider.read_at <= kFreshReadForRotation);
}

}  // namespace detail

namespace {

using detail::AddEvent;

Plan ReadProviderFirst() {
  Plan p;
  p.read_provider = true;
  return p;
}
using detail::DecideContext;

std::string_view RotateRequest(const ResourceMeta& meta) {
  auto it = meta.annotations.find(std::string(vocab::kAnnotationRotateRequest));
  return it == meta.annotations.end() ? std::string_view() : std::string_view(it->second);
}

// Invalid spec: Ready=False InvalidSpec, nothing else touched (a pendingRotation stays).
Plan DecideInvalid(const Observed& o, Time now) {
  Plan p;
  const Status& old = o.resource.status;
  Status next = old;
  next.observed_generation = o.resource.meta.generation;
  next.phase = std::string(vocab::kPhaseFailed);
  std::string msg = JoinFieldErrors(o.resource.spec.error());
  SetCondition(next.conditions, vocab::kCondReady, vocab::kFalse, vocab::kReasonInvalidSpec, msg,
               o.resource.meta.generation, now);
  const Condition* before = FindCondition(old.conditions, vocab::kCondReady);
  if (!before || before->reason != vocab::kReasonInvalidSpec || before->message != msg)
    p.events.push_back({std::string(vocab::kEventWarning), std::string(vocab::kEventInvalidSpec), msg});
  if (next != old) p.status = next;
  return p;
}

bool NeedsProviderRead(const Observed& o, const Spec& spec, Time now) {
  if (o.rotate_outcome || o.revoke_outcome) return false;
  const auto& read_at = o.provider.read_at;
  if (!read_at) return true;
  if (!o.provider.keys) return now - *read_at >= kProviderRetryAfter;
  if (now - *read_at >= spec.refresh_interval) return true;
  if (const auto& pend = o.resource.status.pending_rotation) {
    Time settle_end = pend->started_at + o.pending_settle;
    if (now >= settle_end && *read_at < settle_end) return true;
  }
  // An unresolved revocation intent (a crash) is resolved only on keys read after the second
  // it was recorded in (ResolveRevocation waits for that second to pass).
  const auto& rev = o.resource.status.pending_revocation;
  if (rev && *read_at <= rev->started_at && now > rev->started_at) return true;
  return false;
}

std::string WaitingForSlot(int max_concurrent) {
  return std::string(kWaitingForRestartSlot) + " (maxConcurrentRestarts " + std::to_string(max_concurrent) + ")";
}

// "Deployment \"a\", Deployment \"b\"", at most five named.
std::string NameSome(const std::vector<std::string>& names) {
  std::string out;
  for (size_t i = 0; i < names.size() && i < 5; ++i) out += (i ? ", " : "") + names[i];
  if (names.size() > 5) out += " and " + std::to_string(names.size() - 5) + " more";
  return out;
}

// Whether an event named this restart already: the event that started the wave named the
// consumers that wait for a restart slot, and the status says this one still waits for it, for
// these keys (a restart after a crash between batches is not news either). A second restart
// (something removed the annotation) always is.
bool Announced(const DecideContext& c, const ConsumerJudgement& j, const std::string& hash) {
  const Status& old = c.o.resource.status;
  if (j.restarts > 0 || !old.keys || old.keys->keys_hash != hash) return false;
  for (const auto& s : old.consumers)
    if (s.kind == KindName(j.kind) && s.name == j.name)
      return !s.up_to_date && s.message == WaitingForSlot(c.spec.consumers.max_concurrent_restarts);
  return false;
}

// One event per wave of restarts (issue 17: events are API requests): the reconcile that starts
// it names the consumers it restarts and those that wait for a slot; the later batches follow that
// plan silently (each restart stays in status.consumers[].restarts and restartedKeysHash). When the
// same reconcile synced the keys, the restarts join that KeysSynced event: what happened, once.
void SayRestarts(DecideContext& c, const std::vector<std::string>& restarted, const std::string& hash,
                 const std::vector<std::string>& waiting) {
  std::string said = "restarting " + NameSome(restarted) + " to load keys " + detail::Short(hash);
  if (!waiting.empty())
    said += "; then " + NameSome(waiting) + " as restart slots free up (maxConcurrentRestarts " +
            std::to_string(c.spec.consumers.max_concurrent_restarts) + ")";
  for (auto& e : c.plan.events)
    if (e.reason == vocab::kEventKeysSynced) {
      e.message += "; " + said;
      return;
    }
  AddEvent(c, vocab::kEventNormal, vocab::kEventConsumerRestarted, said);
}

// A first sync that restarts nobody: keyroll creates the Secret of a resource that never had
// keys, and no workload is restarted for them. Its KeysSynced condition says so (with its
// lastTransitionTime); an event would repeat it, and at a cold start of 10,000 resources
// those events are 10,000 API writes, a fifth of all (issue 17). Every later key write
// (rotation, out-of-band roll, re-created or adopted Secret) and every restart is an event.
bool QuietFirstSync(const DecideContext& c) {
  return !c.o.resource.status.keys && c.plan.secret.op == SecretOp::Create && c.plan.secret.write_keys &&
         c.plan.restarts.empty();
}

// Judge consumers against `hash` (judge_consumers.h), then spend the restart budget on those
// lacking it.
std::vector<ConsumerJudgement> JudgeAndRestart(DecideContext& c, const std::string& hash, bool may_restart) {
  std::vector<ConsumerJudgement> out = JudgeConsumers(c.o, c.spec, hash, c.now);
  int in_flight = 0;
  for (const auto& j : out) {
    in_flight += j.restart_in_flight;
    if (!RestartReverted(j)) continue;
    const ConsumerStatus* before = nullptr;  // said once, when it first happens
    for (const auto& s : c.o.resource.status.consumers)
      if (s.kind == KindName(j.kind) && s.name == j.name) before = &s;
    if (!before || before->message != j.message)
      AddEvent(c, vocab::kEventWarning, vocab::kEventConsumerRestartReverted,
               std::string(KindName(j.kind)) + " \"" + j.name + "\": " + j.message);
  }
  if (!may_restart || hash.empty() || c.spec.consumers.restart != RestartPolicy::RolloutRestart) return out;
  int budget = c.spec.consumers.max_concurrent_restarts - in_flight;
  std::vector<std::string> restarted, waiting;  // "Deployment \"api\""
  bool news = false;
  for (auto& j : out) {
    if (!j.needs_restart || j.state == ConsumerState::NotFound) continue;
    const std::string name = std::string(KindName(j.kind)) + " \"" + j.name + "\"";
    if (budget <= 0) {
      waiting.push_back(name);
      j.message = WaitingForSlot(c.spec.consumers.max_concurrent_restarts);
      continue;
    }
    --budget;
    news = news || !Announced(c, j, hash);
    c.plan.restarts.push_back({j.kind, j.name, hash});
    j.restarts += 1;
    j.restarted_keys_hash = hash;
    j.state = ConsumerState::RollingOut;
    // As the next reconcile will judge it until the controller sees the patch (restarted_keys_hash
    // and the event say which keys): no status write only to change these words (issue 17).
    j.message = kRolloutNotObserved;
    restarted.push_back(name);
  }
  if (news) SayRestarts(c, restarted, hash, waiting);
  return out;
}

// The previous key left the provider's list while current/next stayed: it was revoked (by
// keyroll, or in the console, or by keyroll before a crash cut the reconcile short).
void NotePreviousKeyRevoked(DecideContext& c, const KeysStatus& old, const ProviderKeys& pk) {
  if (old.previous_kid.empty() || !pk.previous_kid.empty()) return;
  const auto& out = c.o.revoke_outcome;
  bool by_us = (out && out->revoked && out->kid == old.previous_kid) ||
               (c.revoked_intent && c.revoked_intent->kid == old.previous_kid);
  AddEvent(c, vocab::kEventNormal, vocab::kEventPreviousKeyRevoked,
           "previous key " + old.previous_kid + " revoked" +
               (by_us ? " by keyroll: every consumer holds keys " + detail::Short(pk.keys_hash)
                      : " (no longer listed by the provider)") +
               "; the Secret's JWKS no longer lists it");
}

void SetKids(KeysStatus& k, const ProviderKeys& pk) {
  k.current_kid = pk.current_kid;
  k.next_kid = pk.next_kid;
  k.previous_kid = pk.previous_kid;
}

void UpdateKeysStatus(DecideContext& c, const ProviderKeys& pk) {
  Status& s = c.next;
  PolicyInput in{c.spec.rotation, s, RotateRequest(c.o.resource.meta), c.o.resource.meta.creation_timestamp};
  if (!s.keys) {
    AdoptRequests(in, s);  // creating a resource is not a request to rotate
    if (c.keys_origin.empty()) c.keys_origin = std::string(vocab::kReasonSynced);
  } else if (s.keys->keys_hash == pk.keys_hash) {
    NotePreviousKeyRevoked(c, *s.keys, pk);
    SetKids(*s.keys, pk);  // a revocation changes previousKid alone
    return;
  } else if (c.keys_origin.empty()) {
    c.keys_origin = std::string(vocab::kReasonOutOfBandRotation);
    AddEvent(c, vocab::kEventWarning, vocab::kEventOutOfBandRotation,
             "the provider's keys changed outside keyroll (current " + s.keys->current_fingerprint +
                 " -> " + pk.current_fingerprint + "); syncing the Secret, no rotation until consumers catch up");
  }
  s.keys = KeysStatus{pk.current_fingerprint, pk.next_fingerprint, pk.keys_hash, c.now};
  SetKids(*s.keys, pk);
}

void SetRequeue(DecideContext& c, const std::optional<Violation>& gate, const std::optional<Trigger>& due) {
  std::optional<Seconds> after;
  auto consider = [&](std::optional<Time> t) {
    if (!t || *t <= c.now) return;
    Seconds d = *t - c.now;
    if (!after || d < *after) after = d;
  };
  if (c.o.provider.read_at) consider(*c.o.provider.read_at + c.spec.refresh_interval);
  else consider(c.now + c.spec.refresh_interval);
  consider(c.next.next_rotation_time);
  if (due && gate && gate->reason == vocab::kReasonMinIntervalNotElapsed)
    consider(MinIntervalEnd(c.spec, c.next, c.now));
  if (c.plan.requeue_after) consider(c.now + *c.plan.requeue_after);
  if (after) c.plan.requeue_after = std::max(*after, Seconds{1});
}

}  // namespace

Plan Decide(const Observed& o, Time now) {
  const ResourceMeta& meta = o.resource.meta;
  if (meta.deleting) return Plan{};  // garbage collection (ownerReference) does the rest
  if (!o.resource.spec.ok()) return DecideInvalid(o, now);
  const Spec& spec = o.resource.spec.value();
  if (NeedsProviderRead(o, spec, now)) return ReadProviderFirst();

  DecideContext c{o, spec, now, o.resource.status, Plan{}, std::nullopt, std::nullopt, "", std::nullopt, std::nullopt};
  c.next.observed_generation = meta.generation;
  if (o.rotate_outcome && o.rotate_outcome->keys) {
    c.provider = o.rotate_outcome->keys;
  } else if (o.revoke_outcome && o.revoke_outcome->keys) {
    c.provider = o.revoke_outcome->keys;
  } else {
    c.provider = o.provider.keys;
    c.provider_error = o.provider.error;
  }
  if (c.provider_error || (!c.provider && !c.provider_error))
    c.provider_error = c.provider_error.value_or(ProviderError{ProviderErrorKind::Unavailable, "no answer"});
  if (c.provider) c.provider_error.reset();

  if (c.next.pending_rotation && detail::ResolvePending(c)) return c.plan;
  detail::ResolveRevocation(c);

  // Sync: the Secret follows the provider unless someone else owns it.
  detail::Verdict v;
  v.secret = ClassifySecret(o.secret, meta, c.provider);
  const bool conflict = v.secret == SecretState::Conflict;
  std::string hash;
  if (c.provider && !conflict) {
    UpdateKeysStatus(c, *c.provider);
    c.plan.secret = PlanSecretWrite(spec, meta, o.secret, *c.provider);
    if (c.plan.secret.write_keys)
      AddEvent(c, vocab::kEventNormal, vocab::kEventKeysSynced,
               std::string(c.plan.secret.op == SecretOp::Create ? "created" : "updated") + " Secret \"" +
                   spec.target.secret_name + "\" with the provider's keys (current " +
                   c.provider->current_fingerprint + ", next " + c.provider->next_fingerprint + ")");
    hash = c.provider->keys_hash;
  } else if (!c.provider && OwnedByResource(o.secret, meta)) {
    hash = o.secret.keys_hash;  // provider unknown: keep consumers in line with the Secret
  }
  if (!c.provider) c.plan.backoff = true;
  v.consumers = JudgeAndRestart(c, hash, !conflict);
  if (QuietFirstSync(c)) std::erase_if(c.plan.events, [](const Event& e) { return e.reason == vocab::kEventKeysSynced; });

  // Gate and rotation intent.
  std::string origin = c.keys_origin;
  if (origin.empty())
    if (const Condition* k = FindCondition(o.resource.status.conditions, vocab::kCondKeysSynced)) origin = k->reason;
  GateInput gate_in{spec, c.next, c.provider ? std::nullopt : c.provider_error, v.secret, v.consumers,
                    o.account_conflict_with, origin, now};
  v.gate = EvaluateGate(gate_in);
  PolicyInput policy_in{spec.rotation, c.next, RotateRequest(meta), meta.creation_timestamp};
  v.due = RotationDue(policy_in, now);
  if (v.due && !v.gate && !c.next.pending_rotation && !c.next.pending_revocation) {  // one provider write at a time
    if (!detail::ReadFresh(c)) return ReadProviderFirst();
    c.next.pending_rotation = PendingRotation{now, c.provider->current_fingerprint, c.provider->next_fingerprint,
                                              ToString(v.due->kind), spec.rotation.request_id,
                                              std::string(RotateRequest(meta))};
    c.plan.rotate = true;
    AddEvent(c, vocab::kEventNormal, vocab::kEventRotationStarted, "rotating keys: " + v.due->message);
  }

  // Revoke the previous key (Auth0) once nobody can need it, its intent recorded first.
  if (!detail::DecideRevocation(c, v)) return ReadProviderFirst();

  detail::FillStatus(c, v);
  if (!c.plan.rotate) SetRequeue(c, v.gate, v.due);
  if (c.next != o.resource.status) c.plan.status = c.next;
  return c.plan;
}

}  // namespace keyroll::rotation
