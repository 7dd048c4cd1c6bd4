// reconciler.cpp — see reconciler.h.
#include "operator/controller/reconciler.h"

#include <algorithm>
#include <random>

#include "operator/runtime/failpoint.h"
#include "operator/log/logging.h"
#include "operator/controller/bare_pods.h"
#include "operator/controller/projections.h"
#include "operator/controller/secret_writer.h"
#include "operator/rotation/conditions.h"
#include "operator/rotation/decide.h"
#include "operator/rotation/resource_gauges.h"
#include "operator/rotation/status_json.h"
#include "operator/rotation/vocabulary.h"

namespace keyroll::controller {

using nlohmann::json;
namespace vocab = rotation::vocab;

rotation::Time Now() {
  return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
}

namespace {

// A failed reconcile of a resource with a rotation under way (pendingRotation or
// pendingRevocation recorded, a requestID not handled yet, or a Secret to write with the
// provider's keys) is retried within 2-6 s, however often it failed. The per-key
// backoff (200 ms doubling to 5 min) grows through an API server outage of a minute and then
// keeps a rotation waiting minutes after the server is back; the jitter keeps the retries
// from locking onto a periodic fault (RobustnessApiFaults.InternalErrorStorms: 3 s of 500s
// every 5 s). Other failures keep the backoff.
bool RotationUnderway(const rotation::ObservedResource& r) {
  if (r.status.pending_rotation || r.status.pending_revocation) return true;
  return r.spec.ok() && !r.spec->rotation.request_id.empty() &&
         r.spec->rotation.request_id != r.status.last_handled_request_id;
}

std::chrono::milliseconds UnderwayRetry() {
  thread_local std::mt19937 rng(std::random_device{}());
  return std::chrono::milliseconds(std::uniform_int_distribution<int>(2000, 6000)(rng));
}

log::Logger LoggerFor(const rotation::ResourceMeta& m) { return log::Logger{{"namespace", m.namespace_}, {"name", m.name}}; }

std::string KeyOf(const Observation& obs) {
  return obs.observed.resource.meta.namespace_ + "/" + obs.observed.resource.meta.name;
}

// After a rotate call answered (at once or after its reconcile let go).
void RotateLanded(const log::Logger& lg, const rotation::RotateOutcome& outcome) {
  runtime::Failpoint("after-rotate");
  if (const auto& e = outcome.error)
    lg.Warn("rotate call failed", {{"kind", rotation::ToString(e->kind)}, {"error", e->message}});
  else
    lg.Info("provider rotated keys", {{"currentFingerprint", outcome.keys->current_fingerprint},
                                      {"nextFingerprint", outcome.keys->next_fingerprint}});
}

void RevokeLanded(const log::Logger& lg, const rotation::RevokeOutcome& outcome) {
  runtime::Failpoint("after-revoke");
  if (const auto& e = outcome.error)
    lg.Warn("revoke call failed", {{"kind", rotation::ToString(e->kind)}, {"error", e->message}});
  else
    lg.Info(outcome.revoked ? "previous key revoked" : "the key is no longer the previous key", {{"kid", outcome.kid}});
}

std::string ShortHash(const std::string& h) { return h.substr(0, 8); }

using WorkloadReaders = std::array<std::unique_ptr<FreshReader>, rotation::kWorkloadKinds.size()>;

WorkloadReaders MakeWorkloadReaders(kube::Client& client, const Informers& informers) {
  WorkloadReaders out;
  for (auto kind : rotation::kWorkloadKinds)
    out[static_cast<size_t>(kind)] = std::make_unique<FreshReader>(client, ResourceOf(kind), informers.workloads(kind),
                                                                   informers.workload_projection(),
                                                                   /*keep_answers=*/true);
  return out;
}

template <typename T, size_t N, typename F>
auto Each(const std::array<T, N>& in, F f) {
  std::array<decltype(f(in[0])), N> out{};
  for (size_t i = 0; i < N; ++i) out[i] = f(in[i]);
  return out;
}

json InvolvedObject(const rotation::ResourceMeta& m) {
  return {{"apiVersion", std::string(vocab::kApiVersion)},
          {"kind", std::string(vocab::kKind)},
          {"metadata", {{"name", m.name}, {"namespace", m.namespace_}, {"uid", m.uid},
                        {"resourceVersion", m.resource_version}}}};
}

}  // namespace

Reconciler::Reconciler(kube::Client& client, Informers& informers, ProviderCache& providers,
                       http::Metrics& metrics, kube::EventRecorder& events, rotation::Seconds pending_settle)
    : client_(client),
      providers_(providers),
      metrics_(metrics),
      events_(events),
      resources_(client, kube::resources::kSigningKeyRotations, informers.resources(),
                 informers.resource_projection()),
      secrets_(client, kube::resources::kSecrets, informers.secrets(), informers.secret_projection()),
      workloads_(MakeWorkloadReaders(client, informers)),
      sources_{client,
               resources_,
               secrets_,
               Each(workloads_, [](const std::unique_ptr<FreshReader>& r) { return r.get(); }),
               informers.resources(),
               Each(rotation::kWorkloadKinds, [&](rotation::WorkloadKind k) { return &informers.workloads(k); }),
               providers,
               informers.index(),
               informers.secret_readers(),
               pending_settle,
               [&informers](rotation::WorkloadKind k) { return informers.Served(k); },
               [this](const std::string& key) {
                 std::lock_guard lock(live_checks_mu_);
                 return live_checks_.erase(key) > 0;
               }} {}

runtime::ReconcileResult Reconciler::Reconcile(const std::string& key) {
  const auto started = std::chrono::steady_clock::now();
  auto seconds = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  };
  auto slash = key.find('/');
  const std::string ns = slash == std::string::npos ? "" : key.substr(0, slash);
  const std::string name = slash == std::string::npos ? key : key.substr(slash + 1);
  log::Logger lg{{"namespace", ns}, {"name", name}};
  bool underway = false;
  try {
    // Our own status write of a moment ago is not in the cache yet (this reconcile was woken by
    // something else: our Secret's own event, a provider read landing). Its watch event wakes
    // the key within milliseconds; deciding now would need a live GET of the resource.
    if (resources_.CatchingUp(ns, name, kOwnWriteCatchUp)) {
      metrics_.ReconcileDone(vocab::kReconcileResultSuccess, seconds());
      return runtime::ReconcileResult::RequeueAfter(kOwnWriteCatchUp);
    }
    // A rotate or revoke of this resource is on its way (its endpoint is slow): decide nothing
    // until it lands; the key is woken then. One that landed after its reconcile let go is
    // taken here and decided on as if it had answered at once.
    ProviderCache::Call call = providers_.TakeCall(key);
    if (call.in_flight) {
      metrics_.ReconcileDone("success", seconds());
      return runtime::ReconcileResult::RequeueAfter(kProviderReadRecheck);
    }
    auto obs = Observe(sources_, ns, name);
    if (obs) underway = RotationUnderway(obs->observed.resource);
    if (!obs) {  // deleted: garbage collection removes the Secret (ownerReference)
      metrics_.RemoveResource(ns, name);
      providers_.Forget(key);
      held_.Drop(key);
      metrics_.ReconcileDone(vocab::kReconcileResultSuccess, seconds());
      return runtime::ReconcileResult::Done();
    }
    obs->written_status = held_.Apply(key, obs->observed.resource.status);
    if (call.rotate) {
      obs->observed.rotate_outcome = std::move(call.rotate);
      RotateLanded(lg, *obs->observed.rotate_outcome);
    }
    if (call.revoke) {
      obs->observed.revoke_outcome = std::move(call.revoke);
      RevokeLanded(lg, *obs->observed.revoke_outcome);
    }
    const int depth = obs->observed.rotate_outcome || obs->observed.revoke_outcome ? 1 : 0;
    rotation::Plan plan = rotation::Decide(obs->observed, Now());
    std::optional<std::chrono::milliseconds> circuit_retry;
    if (plan.read_provider) {
      runtime::Failpoint("before-provider-read");
      ProviderRead read = providers_.ReadBounded(key, obs->provider, obs->observed.provider.read_at, Now);
      if (read.pending) {
        // The account's read is still in flight (its endpoint is slow or hangs): let go of the
        // worker; the key is woken when the read lands, or looked at again after this.
        metrics_.ReconcileDone(vocab::kReconcileResultSuccess, seconds());
        return runtime::ReconcileResult::RequeueAfter(kProviderReadRecheck);
      }
      obs->observed.provider = read.observed;
      circuit_retry = read.retry_in;
      runtime::Failpoint("after-provider-read");
      if (const auto& e = obs->observed.provider.error)
        lg.Warn("provider read failed", {{"kind", rotation::ToString(e->kind)}, {"error", e->message}});
      plan = rotation::Decide(obs->observed, Now());
    }
    // A Secret behind the provider (a console rotation, a first sync) is under way too.
    underway = underway || plan.rotate || plan.secret.op != rotation::SecretOp::None;
    Outcome out;
    if (plan.read_provider) {  // Decide asks at most once per fresh read; never loop
      out.backoff = true;
    } else {
      out = Apply(*obs, plan, depth);
    }
    UpdateResourceMetrics(*obs);
    metrics_.ReconcileDone(out.backoff ? vocab::kReconcileResultError : vocab::kReconcileResultSuccess, seconds());
    runtime::ReconcileResult r;
    r.error = out.backoff;
    if (out.requeue_after) r.requeue_after = std::chrono::duration_cast<std::chrono::milliseconds>(*out.requeue_after);
    if (r.error && underway) r.requeue_after = std::min(r.requeue_after.value_or(UnderwayRetry()), UnderwayRetry());
    // An open circuit: look again when it closes, not later (the condition names that time).
    if (circuit_retry && (!r.requeue_after || *circuit_retry < *r.requeue_after))
      r.requeue_after = std::max(*circuit_retry, std::chrono::milliseconds(100));
    return r;
  } catch (const std::exception& e) {
    lg.Warn("reconcile failed", {{"error", e.what()}});
    metrics_.ReconcileDone(vocab::kReconcileResultError, seconds());
    runtime::ReconcileResult r = runtime::ReconcileResult::Error();
    if (underway) r.requeue_after = UnderwayRetry();
    return r;
  }
}

namespace {

// Puts `restarts` (a ConsumerRestarted message) in place of the restarts a KeysSynced event of
// `events` names (one event for a first sync, issue 17). False when there is no such event.
bool RestartsJoinKeysSynced(std::vector<rotation::Event>& events, const std::string& restarts) {
  for (auto& k : events) {
    if (k.reason != rotation::vocab::kEventKeysSynced) continue;
    const auto named = k.message.find("; restarting ");
    k.message = k.message.substr(0, named) + "; " + restarts;
    return true;
  }
  return false;
}

// After the plan's Secret write landed: the rest of the plan decided again on the Secret as
// written, so that a first sync ends Ready in one status write (not in a second reconcile
// woken by our own writes). nullopt when that changes nothing to do with the Secret or the
// plan rotates or revokes (those keep the order in which they were decided).
std::optional<rotation::Plan> DecideAfterSecretWrite(const Observation& obs, const rotation::Plan& plan) {
  if (plan.rotate || !plan.revoke_kid.empty()) return std::nullopt;
  rotation::Plan again = rotation::Decide(obs.observed, Now());
  if (again.read_provider || again.secret.op != rotation::SecretOp::None || again.rotate || !again.revoke_kid.empty())
    return std::nullopt;
  // The first plan's events (the Secret it wrote) come first; none twice. Its KeysSynced event
  // names the restarts it planned; the restarts made are the second plan's, said there instead.
  std::vector<rotation::Event> events = plan.events;
  for (auto& e : again.events) {
    if (std::find(events.begin(), events.end(), e) != events.end()) continue;
    if (e.reason == rotation::vocab::kEventConsumerRestarted && RestartsJoinKeysSynced(events, e.message)) continue;
    events.push_back(std::move(e));
  }
  again.events = std::move(events);
  again.backoff = again.backoff || plan.backoff;
  return again;
}

}  // namespace

Reconciler::Outcome Reconciler::Apply(Observation& obs, const rotation::Plan& decided, int depth) {
  const rotation::Plan* current = &decided;
  std::optional<rotation::Plan> redecided;
  auto lg = LoggerFor(obs.observed.resource.meta);
  // Guarded: the plan as JSON, built even with debug off, was 2 % of a cold start's CPU.
  if (log::Enabled(spdlog::level::debug) && !rotation::MakesNoChanges(decided))
    lg.Debug("applying plan", {{"plan", rotation::PlanToJson(decided).dump()}});
  // 1. The Secret; nothing else when it fails.
  if (decided.secret.op != rotation::SecretOp::None) {
    if (!ApplySecret(obs, decided.secret)) return Outcome{true, decided.requeue_after};
    if (depth == 0 && (redecided = DecideAfterSecretWrite(obs, decided))) current = &*redecided;
  }
  const rotation::Plan& plan = *current;
  Outcome out{plan.backoff, plan.requeue_after};
  // 2. Consumer restarts (idempotent: keyed by keysHash).
  if (!ApplyRestarts(obs, plan)) out.backoff = true;
  // 3. Status, with the resourceVersion precondition. Progress alone is held (held_status.h);
  // a status held before is written once it must be, even when this plan changes nothing.
  bool status_written = false;
  std::optional<rotation::Status> next = plan.status;
  if (!next && obs.written_status) next = obs.observed.resource.status;
  if (next) {
    std::optional<std::chrono::milliseconds> held;
    if (!plan.rotate && plan.revoke_kid.empty())
      held = held_.Hold(KeyOf(obs), obs.written_status.value_or(obs.observed.resource.status), *next,
                        HeldStatus::Clock::now());
    if (held) {
      if (!obs.written_status) obs.written_status = obs.observed.resource.status;
      obs.observed.resource.status = std::move(*next);
      const auto due = std::chrono::ceil<rotation::Seconds>(*held);
      if (!out.requeue_after || due < *out.requeue_after) out.requeue_after = due;
    } else {
      status_written = ApplyStatus(obs, *next);
      if (!status_written) {
        out.backoff = true;
        return out;  // no events for a plan whose status did not land; never rotate
      }
    }
  }
  EmitEvents(obs, plan);
  if (!plan.rotation_result.empty()) metrics_.RotationDone(plan.rotation_result);
  if (!plan.revoke_result.empty()) metrics_.RevocationDone(plan.revoke_result);
  // 4. Rotate: once, only after the intent is recorded.
  if (plan.rotate && status_written && depth == 0) {
    runtime::Failpoint("after-intent-written");
    lg.Info("rotating provider keys", {{"fromFingerprint", plan.status->pending_rotation->from_fingerprint}});
    runtime::Failpoint("before-rotate");
    auto rotated = providers_.RotateBounded(KeyOf(obs), obs.provider, Now);
    if (!rotated) {  // the intent is recorded; the outcome is taken when the call lands
      lg.Info("rotate call in flight; deciding again when it answers");
      out.requeue_after = std::chrono::duration_cast<rotation::Seconds>(kProviderReadRecheck);
      return out;
    }
    obs.observed.rotate_outcome = std::move(*rotated);
    RotateLanded(lg, *obs.observed.rotate_outcome);
    rotation::Plan next = rotation::Decide(obs.observed, Now());
    return Apply(obs, next, depth + 1);
  }
  if (plan.rotate && depth > 0) lg.Warn("a second rotation in one reconcile was refused");
  // 4b. Revoke the previous key (Auth0): once, only with its intent on record.
  if (!plan.revoke_kid.empty() && !plan.rotate && !obs.observed.revoke_outcome) {
    const auto& intent = obs.observed.resource.status.pending_revocation;
    if (!intent || intent->kid != plan.revoke_kid) {
      lg.Warn("no revocation intent on record for this key; not revoking", {{"kid", plan.revoke_kid}});
      return out;
    }
    lg.Info("revoking the previous key", {{"kid", plan.revoke_kid}});
    runtime::Failpoint("before-revoke");
    auto revoked = providers_.RevokeBounded(KeyOf(obs), obs.provider, plan.revoke_kid, Now);
    if (!revoked) {
      lg.Info("revoke call in flight; deciding again when it answers", {{"kid", plan.revoke_kid}});
      out.requeue_after = std::chrono::duration_cast<rotation::Seconds>(kProviderReadRecheck);
      return out;
    }
    obs.observed.revoke_outcome = std::move(*revoked);
    RevokeLanded(lg, *obs.observed.revoke_outcome);
    rotation::Plan next = rotation::Decide(obs.observed, Now());
    return Apply(obs, next, depth + 1);
  }
  return out;
}

bool Reconciler::ApplySecret(Observation& obs, const rotation::SecretWrite& w) {
  const auto& meta = obs.observed.resource.meta;
  auto lg = LoggerFor(meta).With({{"secret", w.name}});
  std::optional<providers::KeySet> raw;
  if (w.write_keys) {
    raw = providers_.RawKeys(obs.provider, w.keys);  // nullopt unless they hash to w.keys
    if (!raw) {
      lg.Warn("provider keys at hand do not match the plan; not writing the Secret",
              {{"keysHash", ShortHash(w.keys.keys_hash)}});
      return false;
    }
  }
  runtime::Failpoint("before-secret-write");
  const FreshReader::Prior prior = secrets_.Before(meta.namespace_, w.name);
  auto written = WriteSecret(client_, meta, w, obs.secret_rv, raw);
  if (!written) {
    if (w.op == rotation::SecretOp::Create && kube::IsAlreadyExists(written.error())) {
      // Not in keyroll's cache (unlabelled): read it live next time and decide on what it is.
      lg.Info("Secret exists already; reading it");
      std::lock_guard lock(live_checks_mu_);
      live_checks_.insert(meta.namespace_ + "/" + w.name);
      return false;
    }
    lg.Warn("Secret write failed", {{"error", written.error().ToString()}});
    // A conflict: the cache is behind the server; the next reconcile reads the Secret live.
    if (kube::IsConflict(written.error())) secrets_.Stale(meta.namespace_, w.name);
    if (kube::IsForbidden(written.error()))
      ReportForbidden(obs, (w.op == rotation::SecretOp::Create ? "create" : "write") + std::string(" Secret ") + w.name,
                      written.error(), true);
    return false;
  }
  const std::string rv = kube::ResourceVersionOf(*written);
  secrets_.Wrote(meta.namespace_, w.name, *written, prior);
  json projected = ProjectSecret(*written, {{w.current_key, w.next_key}});
  if (auto s = ObserveSecret(projected, w.current_key, w.next_key, meta.uid)) obs.observed.secret = *s;
  obs.secret_rv = rv;
  lg.Info(w.op == rotation::SecretOp::Create ? "Secret created" : "Secret updated",
          {{"currentFingerprint", w.keys.current_fingerprint},
           {"nextFingerprint", w.keys.next_fingerprint},
           {"keysWritten", w.write_keys ? "true" : "false"}});
  runtime::Failpoint("after-secret-write");
  // Bare Pods keep the keys they started with: say so when keys change, not when the Secret is
  // first created (nothing held older keys; and a pod list per first sync is costly at scale).
  if (w.write_keys && w.op != rotation::SecretOp::Create && obs.observed.resource.spec.ok() &&
      obs.observed.resource.spec.value().consumers.discover)
    ReportBarePods(client_, events_, InvolvedObject(meta), meta.namespace_, w.name);  // new keys they will not get
  return true;
}

bool Reconciler::ApplyRestarts(Observation& obs, const rotation::Plan& plan) {
  const auto& meta = obs.observed.resource.meta;
  bool ok = true, first = true;
  for (const auto& r : plan.restarts) {
    json patch = {{"spec", {{"template", {{"metadata", {{"annotations", {{std::string(vocab::kAnnotationKeysHash),
                                                                         r.keys_hash}}}}}}}}}};
    runtime::Failpoint("before-restart");
    const std::string kind(rotation::KindName(r.kind));
    FreshReader& reader = *workloads_[static_cast<size_t>(r.kind)];
    const FreshReader::Prior prior = reader.Before(meta.namespace_, r.name);
    auto res = client_.MergePatch(ResourceOf(r.kind), meta.namespace_, r.name, patch);
    if (!res) {
      LoggerFor(meta).Warn("consumer restart failed",
                           {{"kind", kind}, {"workload", r.name}, {"error", res.error().ToString()}});
      // The status that follows names the stale consumer; the event says why.
      if (kube::IsForbidden(res.error())) ReportForbidden(obs, "patch " + kind + " " + r.name, res.error(), false);
      ok = false;
      continue;
    }
    reader.Wrote(meta.namespace_, r.name, *res, prior);
    LoggerFor(meta).Info("consumer restarted",
                         {{"kind", kind}, {"workload", r.name}, {"keysHash", ShortHash(r.keys_hash)}});
    runtime::Failpoint("after-restart");
    if (first) {
      first = false;
      runtime::Failpoint("during-restarts");
    }
  }
  return ok;
}

bool Reconciler::ApplyStatus(Observation& obs, const rotation::Status& status) {
  auto& res = obs.observed.resource;
  json body = obs.resource;
  body["apiVersion"] = std::string(vocab::kApiVersion);
  body["kind"] = std::string(vocab::kKind);
  body["metadata"]["resourceVersion"] = res.meta.resource_version;  // the precondition
  body["status"] = rotation::StatusToJson(status);
  runtime::Failpoint("before-status-write");
  const FreshReader::Prior prior = resources_.Before(res.meta.namespace_, res.meta.name);
  auto written = client_.UpdateStatus(kube::resources::kSigningKeyRotations, res.meta.namespace_, body);
  auto lg = LoggerFor(res.meta);
  if (!written) {
    if (kube::IsConflict(written.error())) {
      lg.Info("status write conflicted (the resource changed); reconciling again");
      resources_.Stale(res.meta.namespace_, res.meta.name);  // read it live until the cache catches up
    } else {
      lg.Warn("status write failed", {{"error", written.error().ToString()}});
    }
    if (kube::IsForbidden(written.error())) ReportForbidden(obs, "update the status", written.error(), false);
    return false;
  }
  const std::string rv = kube::ResourceVersionOf(*written);
  resources_.Wrote(res.meta.namespace_, res.meta.name, *written, prior);
  held_.Drop(res.meta.namespace_ + "/" + res.meta.name);
  obs.written_status.reset();
  obs.resource = resources_.Project(*written);
  res.status = status;
  res.meta.resource_version = rv;
  lg.Info("status updated", {{"phase", status.phase}});
  runtime::Failpoint("after-status-write");
  return true;
}

void Reconciler::EmitEvents(const Observation& obs, const rotation::Plan& plan) {
  if (plan.events.empty()) return;
  const auto& m = obs.observed.resource.meta;
  json involved = InvolvedObject(m);
  for (const auto& e : plan.events) {
    auto type = e.type == vocab::kEventWarning ? kube::EventType::kWarning : kube::EventType::kNormal;
    runtime::Failpoint("before-event");
    auto r = events_.Record(involved, type, e.reason, e.message);  // best effort (a failure is logged)
    (void)r;
    runtime::Failpoint("after-event");
    LoggerFor(m).Info("event", {{"type", e.type}, {"reason", e.reason}, {"message", e.message}});
  }
}

void Reconciler::ReportForbidden(Observation& obs, const std::string& action, const kube::KubeError& error,
                                 bool condition) {
  const auto& m = obs.observed.resource.meta;
  const std::string message = "keyroll may not " + action + " (RBAC): " + error.message +
                              "; grant it in keyroll's ClusterRole (deploy/rbac.yaml)";
  LoggerFor(m).Error("forbidden by RBAC", {{"action", action}, {"error", error.ToString()}});
  auto r = events_.Record(InvolvedObject(m), kube::EventType::kWarning, std::string(vocab::kReasonForbidden), message);
  (void)r;  // best effort (a failure is logged)
  if (!condition) return;
  rotation::Status status = obs.observed.resource.status;
  const auto* ready = rotation::FindCondition(status.conditions, vocab::kCondReady);
  if (ready && ready->reason == vocab::kReasonForbidden && ready->message == message) return;  // said already
  rotation::SetCondition(status.conditions, vocab::kCondReady, vocab::kFalse, vocab::kReasonForbidden, message,
                         m.generation, Now());
  status.phase = std::string(vocab::kPhaseFailed);
  ApplyStatus(obs, status);
}

void Reconciler::UpdateResourceMetrics(const Observation& obs) {
  const auto& m = obs.observed.resource.meta;
  const auto& s = obs.observed.resource.status;
  int stale = 0;
  for (const auto& c : s.consumers) stale += c.up_to_date ? 0 : 1;
  metrics_.SetConsumersStale(m.namespace_, m.name, stale);
  if (s.keys && s.keys->synced_at) metrics_.SetKeyCurrentSince(m.namespace_, m.name, *s.keys->synced_at);
  if (s.last_rotation_time) metrics_.SetLastRotationTime(m.namespace_, m.name, *s.last_rotation_time);
  metrics_.SetResourceGauges(m.namespace_, m.name, rotation::GaugesOf(obs.observed.resource, Now()));
}

}  // namespace keyroll::controller
