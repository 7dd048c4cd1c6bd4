// Crash-safe rotation: cut a reconcile short at every step, restart, and check that the
// invariants hold: exactly one provider rotation, counted once, Secret == provider,
// no pending intent left, the request recorded as handled.
#include <gtest/gtest.h>

#include "operator/rotation/conditions.h"
#include "tests/unit/rotation/rotation_fixtures.h"

namespace keyroll::rotation {
namespace {
namespace KEYROLL_UNITY_ID {

using namespace keyroll::rotation::testing;
using nlohmann::json;
using Crash = Sim::Crash;
namespace v = vocab;

Sim SettledWithRequest(const char* id) {
  Sim s;
  s.Settle();
  json r = Resource({{"rotation", {{"requestID", id}}}});
  r["metadata"]["generation"] = 3;
  auto status = s.o.resource.status;
  s.o.resource = ParseResource(r);
  s.o.resource.status = status;
  return s;
}

bool HasEvent(const std::vector<Plan>& plans, std::string_view reason) {
  for (const auto& p : plans)
    for (const auto& e : p.events)
      if (e.reason == reason) return true;
  return false;
}

// Reconciles (as a restarted operator would, with a cold provider cache) until quiet,
// advancing time in steps big enough to pass the settle time.
void Recover(Sim& s) {
  s.o.provider = ObservedProvider{};  // a new process has no cache
  for (int i = 0; i < 10; ++i) {
    s.now += Seconds{30};
    s.Settle(20, Seconds{30});
  }
}

void ExpectConverged(const Sim& s, const char* what) {
  const Status& st = s.o.resource.status;
  EXPECT_EQ(s.provider_rotations, 1) << what;
  EXPECT_EQ(st.rotation_count, 1) << what;
  EXPECT_FALSE(st.pending_rotation) << what;
  EXPECT_EQ(st.last_handled_request_id, "r2") << what;
  EXPECT_EQ(s.o.secret.keys_hash, s.PK().keys_hash) << what;
  EXPECT_EQ(st.phase, v::kPhaseReady) << what;
  for (const auto& d : s.o.consumers) EXPECT_EQ(d.template_keys_hash, s.PK().keys_hash) << what;
}

TEST(DecidePending, EveryCrashPointConvergesToExactlyOneRotation) {
  const std::pair<Crash, const char*> crashes[] = {
      {Crash::BeforeIntent, "before the intent write"},
      {Crash::AfterIntent, "after the intent, before the rotate call"},
      {Crash::AfterRotateCall, "after the rotate call, answer lost in a crash"},
      {Crash::RotateAnswerLost, "rotate timed out but happened"},
      {Crash::AfterSecretWrite, "after the Secret write, before the status write"},
      {Crash::AfterRestarts, "after the restarts, before the status write"},
  };
  for (const auto& [crash, what] : crashes) {
    Sim s = SettledWithRequest("r2");
    s.Reconcile(crash);
    Recover(s);
    ExpectConverged(s, what);
  }
}

TEST(DecidePending, IntentWithoutCallIsClearedAfterTheSettleTimeThenRetried) {
  Sim s = SettledWithRequest("r2");
  s.Reconcile(Crash::AfterIntent);
  ASSERT_TRUE(s.o.resource.status.pending_rotation);
  const Time started = s.o.resource.status.pending_rotation->started_at;
  // Before the settle time: wait, keep the intent, requeue at the settle time.
  s.now += Seconds{10};
  auto plans = s.Reconcile();
  const Plan& wait = plans.back();
  EXPECT_FALSE(wait.rotate);
  EXPECT_EQ(wait.secret.op, SecretOp::None);
  ASSERT_TRUE(wait.requeue_after);
  EXPECT_EQ(s.now + *wait.requeue_after, started + kPendingSettle);
  EXPECT_TRUE(s.o.resource.status.pending_rotation);
  EXPECT_EQ(s.o.resource.status.phase, v::kPhaseRotating);
  EXPECT_EQ(FindCondition(s.o.resource.status.conditions, v::kCondRotationAllowed)->reason, v::kReasonRotationPending);
  // At the settle time: a fresh read is demanded even though the cache is younger than refreshInterval.
  s.now = started + kPendingSettle;
  EXPECT_TRUE(Decide(s.o, s.now).read_provider);
  plans = s.Reconcile();
  EXPECT_TRUE(HasEvent(plans, v::kEventRotationNotApplied));
  bool retried = false;
  for (const auto& p : plans) retried = retried || p.rotate;
  EXPECT_TRUE(retried) << "the gate decides again and the request is still due";
  EXPECT_EQ(s.provider_rotations, 1);
}

TEST(DecidePending, RotateAnswerLostButHappenedIsRecognisedWithoutWaiting) {
  Sim s = SettledWithRequest("r2");
  s.Reconcile(Crash::AfterRotateCall);
  ASSERT_TRUE(s.o.resource.status.pending_rotation);
  s.o.provider = ObservedProvider{};
  s.now += Seconds{5};
  auto plans = s.Reconcile();
  EXPECT_TRUE(plans[0].read_provider);
  const Plan& p = plans.back();
  EXPECT_EQ(p.rotation_result, "succeeded");
  EXPECT_TRUE(p.secret.write_keys);
  ASSERT_TRUE(p.status);
  EXPECT_EQ(p.status->rotation_count, 1);
  EXPECT_FALSE(p.status->pending_rotation);
}

// An unknown rotate outcome (a dropped connection, a garbled answer) is usually a rotation
// that happened: the next provider read confirms it, and with a refreshInterval shorter than
// the settle time that read comes first (E2EProviderFaults.RotateThenDrop... waited for a
// requeue that only the settle time would have brought, 120 s away).
TEST(DecidePending, AnUnknownOutcomeIsConfirmedAtTheNextProviderReadBeforeTheSettleTime) {
  Sim s;
  s.o.resource = ParseResource(Resource({{"refreshInterval", "10s"}}));
  s.Settle();
  json r = Resource({{"refreshInterval", "10s"}, {"rotation", {{"requestID", "r2"}}}});
  r["metadata"]["generation"] = 3;
  auto status = s.o.resource.status;
  s.o.resource = ParseResource(r);
  s.o.resource.status = status;
  ASSERT_TRUE(s.WriteIntent().rotate);
  s.ProviderRotate();  // it happened, but the answer was lost
  s.o.rotate_outcome = RotateOutcome{std::nullopt, ProviderError{ProviderErrorKind::OutcomeUnknown, "connection dropped"}};
  Plan after = Decide(s.o, s.now);
  s.o.rotate_outcome.reset();
  ASSERT_TRUE(after.status);
  s.o.resource.status = *after.status;
  ASSERT_TRUE(after.requeue_after);
  EXPECT_LE(*after.requeue_after, Seconds{10}) << "the next read, not the settle time (" << kPendingSettle.count() << " s)";
  s.now += *after.requeue_after;
  auto plans = s.Reconcile();
  EXPECT_TRUE(plans[0].read_provider);
  EXPECT_EQ(plans.back().rotation_result, "succeeded");
  EXPECT_FALSE(s.o.resource.status.pending_rotation);
  EXPECT_EQ(s.provider_rotations, 1);
}

TEST(DecidePending, FailedRotateKeepsIntentEmitsWarningAndNeverRetriesBlindly) {
  Sim s = SettledWithRequest("r2");
  // Intent written, rotate call answered 500 and did NOT happen.
  ASSERT_TRUE(s.WriteIntent().rotate);
  s.o.rotate_outcome = RotateOutcome{std::nullopt, ProviderError{ProviderErrorKind::Unavailable, "HTTP 500"}};
  Plan after = Decide(s.o, s.now);
  s.o.rotate_outcome.reset();
  EXPECT_FALSE(after.rotate);
  EXPECT_EQ(after.rotation_result, "failed");
  EXPECT_TRUE(HasEvent({after}, v::kEventRotationFailed));
  ASSERT_TRUE(after.status);
  EXPECT_TRUE(after.status->pending_rotation);
  EXPECT_NE(FindCondition(after.status->conditions, v::kCondRotationAllowed)->message.find("HTTP 500"), std::string::npos);
  ASSERT_TRUE(after.requeue_after);
  EXPECT_EQ(*after.requeue_after, kPendingSettle);
  s.o.resource.status = *after.status;
  // Reconciles before the settle time never call rotate.
  for (int i = 0; i < 5; ++i) {
    s.now += Seconds{10};
    for (const auto& p : s.Reconcile()) EXPECT_FALSE(p.rotate);
  }
  EXPECT_EQ(s.provider_rotations, 0);
  Recover(s);
  ExpectConverged(s, "after a failed rotate");
}

TEST(DecidePending, SomeoneElseRotatedDuringOurRotationIsDrift) {
  Sim s = SettledWithRequest("r2");
  s.rollouts_complete_at_once = false;
  s.Reconcile(Crash::AfterIntent);
  ASSERT_TRUE(s.o.resource.status.pending_rotation);
  s.ProviderRotate();
  s.ProviderRotate();  // current is now neither from nor expected
  s.o.provider = ObservedProvider{};
  s.now += Seconds{5};
  auto plans = s.Reconcile();
  const Plan& p = plans.back();
  EXPECT_EQ(p.rotation_result, "drift");
  EXPECT_TRUE(HasEvent(plans, v::kEventDrift));
  EXPECT_TRUE(p.secret.write_keys);
  EXPECT_EQ(p.restarts.size(), 2u);
  ASSERT_TRUE(p.status);
  EXPECT_FALSE(p.status->pending_rotation);
  EXPECT_EQ(p.status->rotation_count, 0);
  EXPECT_EQ(p.status->last_handled_request_id, "r2");
  EXPECT_EQ(FindCondition(p.status->conditions, v::kCondKeysSynced)->reason, v::kReasonDrift);
  EXPECT_EQ(FindCondition(p.status->conditions, v::kCondRotationAllowed)->reason, v::kReasonDrift);
  EXPECT_FALSE(p.rotate);
  EXPECT_EQ(s.o.secret.keys_hash, s.PK().keys_hash);
}

TEST(DecidePending, ProviderUnreadableWhilePendingKeepsTheIntent) {
  Sim s = SettledWithRequest("r2");
  s.Reconcile(Crash::AfterRotateCall);
  s.now += std::chrono::minutes{10};
  s.o.provider = ObservedProvider{s.now, std::nullopt, ProviderError{ProviderErrorKind::Timeout, "no answer"}};
  Plan p = Decide(s.o, s.now);
  EXPECT_FALSE(p.rotate);
  EXPECT_TRUE(p.backoff);
  EXPECT_EQ(p.secret.op, SecretOp::None);
  ASSERT_TRUE(p.status);
  EXPECT_TRUE(p.status->pending_rotation);
  EXPECT_EQ(p.status->rotation_count, 0);
}

TEST(DecidePending, InvalidSpecKeepsThePendingIntent) {
  Sim s = SettledWithRequest("r2");
  s.Reconcile(Crash::AfterIntent);
  auto status = s.o.resource.status;
  ASSERT_TRUE(status.pending_rotation);
  s.o.resource = ParseResource(Resource({{"refreshInterval", "bad"}}));
  s.o.resource.status = status;
  Plan p = Decide(s.o, s.now + std::chrono::minutes{10});
  ASSERT_TRUE(p.status);
  EXPECT_EQ(p.status->pending_rotation, status.pending_rotation);
  EXPECT_FALSE(p.rotate);
}

TEST(DecidePending, TwoReconcilesNeverBothRotateFromOneObservation) {
  // Both workers observed the same status; the plan's status write carries the
  // resourceVersion precondition, so only one can proceed. Decide makes the intent
  // the first write; the second Decide on the written status never asks to rotate again.
  Sim s = SettledWithRequest("r2");
  s.Read();
  Plan first = Decide(s.o, s.now);
  ASSERT_TRUE(first.rotate);
  Observed after_write = s.o;
  after_write.resource.status = *first.status;
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(Decide(after_write, s.now + Seconds{i}).rotate);
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::rotation
