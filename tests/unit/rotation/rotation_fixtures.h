// rotation_fixtures.h — test support for the rotation core: a valid resource, observed
// worlds built from raw test keys (hashed with the real Fingerprint/KeysHash), and
// Sim, a tiny in-memory "controller" that applies plans exactly as decide.h says so
// that tests can run whole rotations and crash between any two steps.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

#include "operator/rotation/conditions.h"
#include "operator/rotation/decide.h"
#include "operator/base/fingerprint.h"
#include "operator/rotation/parse_spec.h"
#include "operator/rotation/vocabulary.h"

namespace keyroll::rotation::testing {

inline Time T(const char* rfc3339) { return ParseTimestamp(rfc3339).value(); }

inline ProviderKeys KeysOf(const std::string& cur, const std::string& next) {
  return {base::Fingerprint(cur), base::Fingerprint(next), base::KeysHash(cur, next)};
}

inline nlohmann::json Resource(nlohmann::json spec_patch = nlohmann::json::object()) {
  nlohmann::json r = nlohmann::json::parse(R"({
    "apiVersion": "keyroll.dev/v1alpha1", "kind": "SigningKeyRotation",
    "metadata": {"name": "payments", "namespace": "payments", "uid": "uid-1", "generation": 2,
                 "resourceVersion": "10", "creationTimestamp": "2026-01-01T00:00:00Z"},
    "spec": {"provider": {"qstash": {"tokenSecretRef": {"name": "qstash", "key": "QSTASH_TOKEN"}}},
             "target": {"secretName": "keys"},
             "consumers": {"deployments": [{"name": "api"}, {"name": "worker"}], "maxConcurrentRestarts": 2}}
  })");
  r["spec"].merge_patch(spec_patch);
  return r;
}

inline ObservedWorkload Deployment(const std::string& name, std::optional<std::string> hash) {
  ObservedWorkload d;
  d.name = name;
  d.generation = 5;
  d.observed_generation = 5;
  d.replicas = 2;
  d.status_replicas = 2;
  d.updated_replicas = 2;
  d.available_replicas = 2;
  d.progressing_status = "True";
  d.progressing_reason = "NewReplicaSetAvailable";
  d.template_keys_hash = std::move(hash);
  return d;
}

// The simulated world: raw provider keys live here only.
struct Sim {
  Observed o;
  Time now = T("2026-02-02T10:00:00Z");
  std::string cur = "sig_AAAAcurrent0000000000000000", next = "sig_BBBBnext000000000000000000";
  int generated = 0;
  int provider_rotations = 0;
  bool rollouts_complete_at_once = true;
  std::vector<std::string> all_text;  // every string the plans produced (leak checks)

  explicit Sim(nlohmann::json resource = Resource()) {
    o.resource = ParseResource(resource);
    o.consumers = {Deployment("api", std::nullopt), Deployment("worker", std::nullopt)};
  }
  ProviderKeys PK() const { return KeysOf(cur, next); }
  void ProviderRotate() {
    cur = next;
    next = "sig_generated" + std::to_string(++generated) + "xxxxxxxxxxxxxxx";
    ++provider_rotations;
  }
  void Read() { o.provider = ObservedProvider{now, PK(), std::nullopt}; }

  void Record(const Plan& p) { all_text.push_back(PlanToJson(p).dump()); }

  void ApplySecret(const SecretWrite& w) {
    if (w.op == SecretOp::None) return;
    auto& s = o.secret;
    s.exists = true;
    s.owner_reference_to_resource = w.owner_reference;
    for (const auto& [k, v] : w.labels) s.labels[k] = v;
    for (const auto& [k, v] : w.annotations) s.annotations[k] = v;
    if (w.write_keys) {
      // The controller writes its raw keys; they must hash to what the plan expects.
      EXPECT_EQ(w.keys, PK());
      s.current_fingerprint = base::Fingerprint(cur);
      s.next_fingerprint = base::Fingerprint(next);
      s.keys_hash = base::KeysHash(cur, next);
    }
  }
  void ApplyRestarts(const std::vector<ConsumerRestart>& restarts) {
    for (const auto& r : restarts)
      for (auto& d : o.consumers)
        if (d.name == r.name && d.kind == r.kind) {
          d.template_keys_hash = r.keys_hash;
          d.generation += 1;
          if (rollouts_complete_at_once) d.observed_generation = d.generation;
          else d.updated_replicas = 0;
        }
  }
  void CompleteRollouts() {
    for (auto& d : o.consumers) {
      d.observed_generation = d.generation;
      d.updated_replicas = d.replicas;
      d.status_replicas = d.replicas;
      d.available_replicas = d.replicas;
    }
  }
  void ApplyStatus(const Plan& p) {
    if (p.status) o.resource.status = *p.status;
  }

  // Decides (reading the provider when asked) up to a plan that rotates and applies its
  // status: the intent is written, the rotate call not made yet.
  Plan WriteIntent() {
    Plan intent = Decide(o, now);
    if (intent.read_provider) {
      Read();
      intent = Decide(o, now);
    }
    EXPECT_TRUE(intent.rotate);
    ApplyStatus(intent);
    return intent;
  }

  // Where a reconcile may be cut short (a crash), for crash-safety tests.
  enum class Crash { None, BeforeIntent, AfterIntent, AfterRotateCall, RotateAnswerLost,
                     AfterSecretWrite, AfterRestarts };

  // One reconcile as the controller runs it (decide.h's order). Returns every plan.
  std::vector<Plan> Reconcile(Crash crash = Crash::None) {
    std::vector<Plan> plans;
    Plan p = Decide(o, now);
    Record(p);
    plans.push_back(p);
    if (p.read_provider) {
      Read();
      p = Decide(o, now);
      Record(p);
      plans.push_back(p);
      EXPECT_FALSE(p.read_provider) << "Decide asked twice for a read";
    }
    for (int round = 0; round < 2; ++round) {
      if (p.rotate && crash == Crash::BeforeIntent) return plans;
      ApplySecret(p.secret);
      if (crash == Crash::AfterSecretWrite && p.secret.write_keys) return plans;
      ApplyRestarts(p.restarts);
      if (crash == Crash::AfterRestarts && !p.restarts.empty()) return plans;
      ApplyStatus(p);
      if (!p.rotate) break;
      EXPECT_TRUE(p.status && p.status->pending_rotation) << "rotate without a written intent";
      if (crash == Crash::AfterIntent) return plans;
      ProviderRotate();
      if (crash == Crash::AfterRotateCall) return plans;
      o.rotate_outcome = RotateOutcome{};
      if (crash == Crash::RotateAnswerLost) o.rotate_outcome->error = ProviderError{ProviderErrorKind::Timeout, "timeout"};
      else o.rotate_outcome->keys = PK();
      p = Decide(o, now);
      Record(p);
      plans.push_back(p);
      o.rotate_outcome.reset();
      if (crash == Crash::RotateAnswerLost) {
        ApplyStatus(p);
        return plans;
      }
      Read();  // the rotate answer refreshes the controller's provider cache
      EXPECT_FALSE(p.rotate) << "a second rotate in one reconcile";
    }
    return plans;
  }

  // Reconciles until a reconcile changes nothing (or `max` rounds), advancing time.
  int Settle(int max = 20, Seconds step = Seconds{1}) {
    for (int i = 0; i < max; ++i) {
      auto plans = Reconcile();
      CompleteRollouts();
      bool quiet = plans.size() == 1 && MakesNoChanges(plans[0]);
      if (quiet) return i;
      now += step;
    }
    return max;
  }
};

inline const Condition& Cond(const Status& s, std::string_view type) {
  const Condition* c = FindCondition(s.conditions, type);
  EXPECT_NE(c, nullptr) << type;
  static Condition none;
  return c ? *c : none;
}

inline bool HasEvent(const Plan& p, std::string_view reason) {
  for (const auto& e : p.events)
    if (e.reason == reason) return true;
  return false;
}

// A world that has settled: Secret synced, consumers restarted and rolled out.
inline Sim Settled(nlohmann::json patch = nlohmann::json::object()) {
  Sim s(Resource(patch));
  s.Settle();
  return s;
}

inline void SetSpec(Sim& s, nlohmann::json patch) {
  nlohmann::json r = Resource(patch);
  r["metadata"]["generation"] = s.o.resource.meta.generation + 1;
  auto status = s.o.resource.status;
  s.o.resource = ParseResource(r);
  s.o.resource.status = status;
}

}  // namespace keyroll::rotation::testing
