// Decide: first sync, steady state, requested/scheduled rotations, invalid specs.
#include "operator/rotation/decide.h"

#include <gtest/gtest.h>

#include "operator/rotation/conditions.h"
#include "tests/unit/rotation/rotation_fixtures.h"

namespace keyroll::rotation {
namespace {
namespace KEYROLL_UNITY_ID {

using namespace keyroll::rotation::testing;
using nlohmann::json;
namespace v = vocab;

TEST(Decide, FirstReconcileReadsTheProviderFirst) {
  Sim s;
  Plan p = Decide(s.o, s.now);
  EXPECT_TRUE(p.read_provider);
  EXPECT_EQ(p.secret.op, SecretOp::None);
  EXPECT_FALSE(p.status.has_value());
}

TEST(Decide, FirstSyncCreatesSecretAndRestartsConsumers) {
  Sim s;
  auto plans = s.Reconcile();
  ASSERT_EQ(plans.size(), 2u);
  const Plan& p = plans[1];
  EXPECT_EQ(p.secret.op, SecretOp::Create);
  EXPECT_TRUE(p.secret.write_keys);
  EXPECT_EQ(p.secret.name, "keys");
  EXPECT_EQ(p.secret.current_key, "QSTASH_CURRENT_SIGNING_KEY");
  EXPECT_EQ(p.secret.next_key, "QSTASH_NEXT_SIGNING_KEY");
  EXPECT_EQ(p.secret.keys, s.PK());
  EXPECT_TRUE(p.secret.owner_reference);
  EXPECT_EQ(p.secret.labels.at("app.kubernetes.io/managed-by"), "keyroll");
  EXPECT_EQ(p.secret.annotations.at("keyroll.dev/owner"), "payments");
  EXPECT_EQ(p.secret.annotations.at("keyroll.dev/keys-hash"), s.PK().keys_hash);
  ASSERT_EQ(p.restarts.size(), 2u);
  EXPECT_EQ(p.restarts[0], (ConsumerRestart{WorkloadKind::Deployment, "api", s.PK().keys_hash}));
  EXPECT_EQ(p.restarts[1], (ConsumerRestart{WorkloadKind::Deployment, "worker", s.PK().keys_hash}));
  // One event says it all (issue 17: an event is an API request): the keys synced and both
  // restarts, no ConsumerRestarted per consumer.
  ASSERT_EQ(p.events.size(), 1u);
  EXPECT_EQ(p.events[0].reason, v::kEventKeysSynced);
  EXPECT_NE(p.events[0].message.find("restarting Deployment \"api\", Deployment \"worker\" to load keys"),
            std::string::npos) << p.events[0].message;
  ASSERT_TRUE(p.status);
  EXPECT_EQ(p.status->observed_generation, 2);
  EXPECT_EQ(p.status->phase, v::kPhaseSyncing);
  ASSERT_TRUE(p.status->keys);
  EXPECT_EQ(p.status->keys->current_fingerprint, base::Fingerprint(s.cur));
  EXPECT_EQ(p.status->keys->synced_at, s.now);
  EXPECT_EQ(Cond(*p.status, v::kCondKeysSynced).reason, v::kReasonSynced);
  EXPECT_EQ(Cond(*p.status, v::kCondConsumersUpToDate).status, "False");
  EXPECT_EQ(Cond(*p.status, v::kCondReady).status, "False");
  EXPECT_FALSE(p.rotate);
  EXPECT_TRUE(p.requeue_after);
}

// A first sync that restarts nobody is said by the KeysSynced condition alone (issue 17: an
// event is an API write, one per resource at a cold start); keys written later are events.
TEST(Decide, AFirstSyncThatRestartsNobodyEmitsNoEvent) {
  Sim s(Resource({{"consumers", nullptr}}));
  s.o.consumers.clear();
  auto plans = s.Reconcile();
  const Plan& p = plans.back();
  EXPECT_EQ(p.secret.op, SecretOp::Create);
  EXPECT_TRUE(p.secret.write_keys);
  EXPECT_TRUE(p.events.empty()) << p.events.front().reason;
  ASSERT_TRUE(p.status);
  EXPECT_EQ(Cond(*p.status, v::kCondKeysSynced).status, "True");
  EXPECT_NE(Cond(*p.status, v::kCondKeysSynced).message.find("holds the provider's keys"), std::string::npos);
}

TEST(Decide, ASecretCreatedAgainAfterTheFirstSyncIsAnEvent) {
  Sim s(Resource({{"consumers", nullptr}}));
  s.o.consumers.clear();
  s.Settle();
  ASSERT_TRUE(s.o.resource.status.keys);
  s.o.secret = ObservedSecret{};  // someone deleted it
  auto plans = s.Reconcile();
  EXPECT_EQ(plans.back().secret.op, SecretOp::Create);
  EXPECT_TRUE(HasEvent(plans.back(), v::kEventKeysSynced));
}

TEST(Decide, SettlesToReady) {
  Sim s = Settled();
  const Status& st = s.o.resource.status;
  EXPECT_EQ(st.phase, v::kPhaseReady);
  EXPECT_EQ(Cond(st, v::kCondReady).status, "True");
  EXPECT_EQ(Cond(st, v::kCondKeysSynced).status, "True");
  EXPECT_EQ(Cond(st, v::kCondConsumersUpToDate).status, "True");
  EXPECT_EQ(Cond(st, v::kCondRotationAllowed).status, "True");
  EXPECT_EQ(Cond(st, v::kCondRotationAllowed).reason, v::kReasonAllowed);
  EXPECT_EQ(st.consumers_ready, "2/2");
  ASSERT_EQ(st.consumers.size(), 2u);
  EXPECT_TRUE(st.consumers[0].up_to_date);
  EXPECT_EQ(st.rotation_count, 0);
  EXPECT_EQ(s.provider_rotations, 0);
}

TEST(Decide, SteadyStateMakesNoWrites) {
  Sim s = Settled();
  Plan p = Decide(s.o, s.now);
  EXPECT_TRUE(MakesNoChanges(p)) << PlanToJson(p).dump();
  EXPECT_TRUE(p.requeue_after);
  // Later but within refreshInterval: still nothing.
  s.now += std::chrono::minutes{2};
  EXPECT_TRUE(MakesNoChanges(Decide(s.o, s.now)));
  // After refreshInterval: a read, and then (same keys) nothing at all.
  s.now += std::chrono::minutes{4};
  auto plans = s.Reconcile();
  ASSERT_EQ(plans.size(), 2u);
  EXPECT_TRUE(plans[0].read_provider);
  EXPECT_TRUE(MakesNoChanges(plans[1])) << PlanToJson(plans[1]).dump();
}

TEST(Decide, RequeuesAtRefreshInterval) {
  Sim s = Settled();
  Plan p = Decide(s.o, s.now);
  ASSERT_TRUE(p.requeue_after);
  EXPECT_EQ(*s.o.provider.read_at + std::chrono::minutes{5}, s.now + *p.requeue_after);
}

TEST(Decide, InitialRequestIdIsAdoptedWithoutRotating) {
  Sim s(Resource({{"rotation", {{"requestID", "r1"}}}}));
  s.o.resource.meta.annotations["keyroll.dev/rotate-request"] = "x1";
  s.Settle();
  EXPECT_EQ(s.provider_rotations, 0);
  EXPECT_EQ(s.o.resource.status.last_handled_request_id, "r1");
  EXPECT_EQ(s.o.resource.status.last_handled_rotate_request, "x1");
}

TEST(Decide, NewRequestIdRotatesExactlyOnce) {
  Sim s = Settled();
  const std::string old_cur = s.cur, old_next = s.next;
  SetSpec(s, {{"rotation", {{"requestID", "r2"}}}});
  auto plans = s.Reconcile();
  // Intent (with rotate), then the plan after the rotate answer.
  const Plan* intent = nullptr;
  for (const auto& p : plans)
    if (p.rotate) intent = &p;
  ASSERT_NE(intent, nullptr);
  ASSERT_TRUE(intent->status && intent->status->pending_rotation);
  const auto& pend = *intent->status->pending_rotation;
  EXPECT_EQ(pend.from_fingerprint, base::Fingerprint(old_cur));
  EXPECT_EQ(pend.expected_current_fingerprint, base::Fingerprint(old_next));
  EXPECT_EQ(pend.trigger, "RequestID");
  EXPECT_EQ(pend.request_id, "r2");
  EXPECT_EQ(intent->status->phase, v::kPhaseRotating);
  EXPECT_EQ(intent->secret.op, SecretOp::None);
  EXPECT_TRUE(intent->restarts.empty());
  const Plan& after = plans.back();
  EXPECT_FALSE(after.rotate);
  EXPECT_EQ(after.rotation_result, "succeeded");
  EXPECT_TRUE(HasEvent(after, v::kEventRotated));
  EXPECT_TRUE(after.secret.write_keys);
  EXPECT_EQ(after.restarts.size(), 2u);
  ASSERT_TRUE(after.status);
  EXPECT_FALSE(after.status->pending_rotation);
  EXPECT_EQ(after.status->rotation_count, 1);
  EXPECT_EQ(after.status->last_rotation_time, s.now);
  EXPECT_EQ(after.status->last_handled_request_id, "r2");
  EXPECT_EQ(Cond(*after.status, v::kCondKeysSynced).reason, v::kReasonRotated);
  EXPECT_EQ(s.o.secret.current_fingerprint, base::Fingerprint(old_next));
  s.Settle();
  EXPECT_EQ(s.provider_rotations, 1);
  EXPECT_EQ(s.o.resource.status.rotation_count, 1);
  EXPECT_EQ(s.o.resource.status.phase, v::kPhaseReady);
  // Much later, the same requestID asks for nothing more.
  s.now += std::chrono::hours{5};
  s.Settle();
  EXPECT_EQ(s.provider_rotations, 1);
}

TEST(Decide, RotateRequestAnnotationRotatesOnceAndIsRecorded) {
  Sim s = Settled();
  s.o.resource.meta.annotations["keyroll.dev/rotate-request"] = "2026-02-02T10:00:00Z";
  s.Settle();
  EXPECT_EQ(s.provider_rotations, 1);
  EXPECT_EQ(s.o.resource.status.last_handled_rotate_request, "2026-02-02T10:00:00Z");
  s.now += std::chrono::hours{2};
  s.Settle();
  EXPECT_EQ(s.provider_rotations, 1);
}

TEST(Decide, InvalidSpecWritesOnlyTheCondition) {
  Sim s = Settled();
  json r = Resource({{"rotation", {{"schedule", "not a cron"}}}});
  r["metadata"]["generation"] = 3;
  Status before = s.o.resource.status;
  s.o.resource = ParseResource(r);
  s.o.resource.status = before;
  Plan p = Decide(s.o, s.now);
  EXPECT_FALSE(p.read_provider);
  EXPECT_EQ(p.secret.op, SecretOp::None);
  EXPECT_TRUE(p.restarts.empty());
  EXPECT_FALSE(p.rotate);
  ASSERT_TRUE(p.status);
  EXPECT_EQ(p.status->phase, v::kPhaseFailed);
  EXPECT_EQ(p.status->observed_generation, 3);
  const auto& ready = Cond(*p.status, v::kCondReady);
  EXPECT_EQ(ready.reason, v::kReasonInvalidSpec);
  EXPECT_NE(ready.message.find("spec.rotation.schedule"), std::string::npos);
  EXPECT_EQ(p.status->keys, before.keys);
  EXPECT_TRUE(HasEvent(p, v::kEventInvalidSpec));
  s.o.resource.status = *p.status;
  EXPECT_TRUE(MakesNoChanges(Decide(s.o, s.now + Seconds{30})));
}

TEST(Decide, DeletingResourceDoesNothing) {
  Sim s = Settled();
  s.o.resource.meta.deleting = true;
  EXPECT_TRUE(MakesNoChanges(Decide(s.o, s.now + std::chrono::hours{1})));
}

TEST(Decide, IntentNeedsAFreshProviderRead) {
  Sim s = Settled();
  SetSpec(s, {{"rotation", {{"requestID", "r2"}}}});
  s.now += std::chrono::minutes{1};  // cache is 1 minute old, within refreshInterval
  Plan p = Decide(s.o, s.now);
  EXPECT_TRUE(p.read_provider);
  EXPECT_FALSE(p.rotate);
}

TEST(Decide, ScheduleRotatesAndRequeuesForTheNextFire) {
  Sim s(Resource({{"rotation", {{"schedule", "0 3 * * *"}}}}));
  s.now = T("2026-01-01T02:00:00Z");
  s.Settle();
  EXPECT_EQ(s.o.resource.status.next_rotation_time, T("2026-01-01T03:00:00Z"));
  EXPECT_EQ(s.provider_rotations, 0);
  s.now = T("2026-01-01T03:00:00Z");
  s.Settle();
  EXPECT_EQ(s.provider_rotations, 1);
  EXPECT_EQ(s.o.resource.status.next_rotation_time, T("2026-01-02T03:00:00Z"));
  Plan p = Decide(s.o, s.now);
  ASSERT_TRUE(p.requeue_after);
  EXPECT_LE(*p.requeue_after, std::chrono::minutes{5});
}

TEST(Decide, MaxKeyAgeRotates) {
  Sim s(Resource({{"rotation", {{"maxKeyAge", "24h"}}}}));
  s.Settle();
  Time synced = *s.o.resource.status.keys->synced_at;
  EXPECT_EQ(s.o.resource.status.next_rotation_time, synced + std::chrono::hours{24});
  s.now = synced + std::chrono::hours{23};
  s.Settle();
  EXPECT_EQ(s.provider_rotations, 0);
  s.now = synced + std::chrono::hours{24};
  s.Settle();
  EXPECT_EQ(s.provider_rotations, 1);
  EXPECT_EQ(s.o.resource.status.next_rotation_time, s.o.resource.status.keys->synced_at.value() + std::chrono::hours{24});
}

TEST(Decide, PlansNeverContainKeyMaterial) {
  Sim s = Settled();
  std::vector<std::string> keys = {s.cur, s.next};
  SetSpec(s, {{"rotation", {{"requestID", "r2"}}}});
  s.Settle();
  keys.push_back(s.cur);
  keys.push_back(s.next);
  s.ProviderRotate();
  keys.push_back(s.next);
  s.now += std::chrono::minutes{10};
  s.Settle();
  ASSERT_FALSE(s.all_text.empty());
  for (const auto& text : s.all_text)
    for (const auto& k : keys) {
      EXPECT_EQ(text.find(k), std::string::npos) << "key material in a plan";
      EXPECT_EQ(text.find(k.substr(4, 12)), std::string::npos);
    }
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::rotation
