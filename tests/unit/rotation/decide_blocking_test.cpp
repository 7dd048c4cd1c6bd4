// Decide: everything that holds or limits a rotation, and conflicts/errors.
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

TEST(Decide, RotationWaitsForStaleConsumers) {
  Sim s = Settled();
  s.o.consumers[1].template_keys_hash = "old";
  SetSpec(s, {{"rotation", {{"requestID", "r2"}}}});
  s.rollouts_complete_at_once = false;
  auto plans = s.Reconcile();
  const Plan& p = plans.back();
  EXPECT_FALSE(p.rotate);
  ASSERT_EQ(p.restarts.size(), 1u);
  EXPECT_EQ(p.restarts[0].name, "worker");
  ASSERT_TRUE(p.status);
  const auto& allowed = Cond(*p.status, v::kCondRotationAllowed);
  EXPECT_EQ(allowed.status, "False");
  EXPECT_EQ(allowed.reason, v::kReasonConsumerStale);
  EXPECT_NE(allowed.message.find("worker"), std::string::npos);
  EXPECT_TRUE(HasEvent(p, v::kEventRotationBlocked));
  EXPECT_EQ(p.status->phase, v::kPhaseWaitingForConsumers);
  // The restart is now in flight (message changes once), then nothing changes.
  s.now += Seconds{3};
  EXPECT_FALSE(s.Reconcile().back().rotate);
  s.now += Seconds{3};
  Plan again = Decide(s.o, s.now);
  EXPECT_TRUE(MakesNoChanges(again)) << PlanToJson(again).dump();
  // Rollout completes: the rotation goes ahead (never dropped).
  s.CompleteRollouts();
  s.Settle();
  EXPECT_EQ(s.provider_rotations, 1);
}

TEST(Decide, MinIntervalHoldsASecondRequest) {
  Sim s = Settled();
  SetSpec(s, {{"rotation", {{"requestID", "r2"}}}});
  s.Settle();
  ASSERT_EQ(s.provider_rotations, 1);
  Time rotated_at = *s.o.resource.status.last_rotation_time;
  SetSpec(s, {{"rotation", {{"requestID", "r3"}}}});
  auto plans = s.Reconcile();
  const Plan& p = plans.back();
  EXPECT_FALSE(p.rotate);
  ASSERT_TRUE(p.status);
  EXPECT_EQ(Cond(*p.status, v::kCondRotationAllowed).reason, v::kReasonMinIntervalNotElapsed);
  ASSERT_TRUE(p.requeue_after);
  EXPECT_LE(s.now + *p.requeue_after, rotated_at + std::chrono::hours{1});
  // Close to the end of minInterval the requeue lands exactly on it.
  s.now = rotated_at + std::chrono::minutes{58};
  s.Read();
  Plan near = Decide(s.o, s.now);
  EXPECT_FALSE(near.rotate);
  ASSERT_TRUE(near.requeue_after);
  EXPECT_EQ(s.now + *near.requeue_after, rotated_at + std::chrono::hours{1});
  s.now = rotated_at + std::chrono::hours{1};
  s.Settle();
  EXPECT_EQ(s.provider_rotations, 2);
  EXPECT_EQ(s.o.resource.status.last_handled_request_id, "r3");
}

TEST(Decide, SuspendKeepsSyncingButNeverRotates) {
  Sim s = Settled({{"rotation", {{"suspend", true}}}});
  SetSpec(s, {{"rotation", {{"suspend", true}, {"requestID", "r2"}}}});
  s.Settle();
  EXPECT_EQ(s.provider_rotations, 0);
  EXPECT_EQ(Cond(s.o.resource.status, v::kCondRotationAllowed).reason, v::kReasonSuspended);
  EXPECT_EQ(Cond(s.o.resource.status, v::kCondReady).status, "True");
  s.ProviderRotate();  // an out-of-band roll is still synced
  s.now += std::chrono::minutes{6};
  s.Settle();
  EXPECT_EQ(s.o.secret.keys_hash, s.PK().keys_hash);
  SetSpec(s, {{"rotation", {{"suspend", false}, {"requestID", "r2"}}}});
  s.now += std::chrono::hours{2};
  s.Settle();
  EXPECT_EQ(s.provider_rotations, 2);  // the waiting request ran after unsuspending
}

TEST(Decide, AccountConflictOnlySyncs) {
  Sim s(Resource({{"rotation", {{"requestID", "r1"}}}}));
  s.o.account_conflict_with = "older";
  s.Settle();
  SetSpec(s, {{"rotation", {{"requestID", "r2"}}}});
  s.Settle();
  EXPECT_EQ(s.provider_rotations, 0);
  EXPECT_TRUE(s.o.secret.exists);
  const Status& st = s.o.resource.status;
  EXPECT_EQ(Cond(st, v::kCondRotationAllowed).reason, v::kReasonConflict);
  EXPECT_NE(Cond(st, v::kCondRotationAllowed).message.find("older"), std::string::npos);
  EXPECT_EQ(Cond(st, v::kCondReady).reason, v::kReasonConflict);
  EXPECT_EQ(st.phase, v::kPhaseBlocked);
}

TEST(Decide, ForeignSecretIsNeverOverwritten) {
  Sim s;
  s.o.secret.exists = true;
  s.o.secret.labels = {{"app", "something"}};
  auto plans = s.Reconcile();
  const Plan& p = plans.back();
  EXPECT_EQ(p.secret.op, SecretOp::None);
  EXPECT_TRUE(p.restarts.empty());
  ASSERT_TRUE(p.status);
  EXPECT_EQ(Cond(*p.status, v::kCondKeysSynced).reason, v::kReasonSecretConflict);
  EXPECT_EQ(Cond(*p.status, v::kCondReady).reason, v::kReasonSecretConflict);
  EXPECT_EQ(Cond(*p.status, v::kCondRotationAllowed).reason, v::kReasonSecretConflict);
  EXPECT_EQ(p.status->phase, v::kPhaseFailed);
  EXPECT_TRUE(HasEvent(p, v::kEventSecretConflict));
  EXPECT_FALSE(p.status->keys);
  s.now += Seconds{2};
  EXPECT_TRUE(MakesNoChanges(Decide(s.o, s.now)));
}

TEST(Decide, RetainedSecretIsRecognisedByLabelAndOwnerAnnotation) {
  Sim s(Resource({{"target", {{"deletionPolicy", "Retain"}}}}));
  s.Settle();
  EXPECT_FALSE(s.o.secret.owner_reference_to_resource);
  EXPECT_EQ(s.o.resource.status.phase, v::kPhaseReady);
  // Switching to Delete adds the owner reference with a metadata-only update.
  SetSpec(s, {{"target", {{"deletionPolicy", "Delete"}}}});
  auto plans = s.Reconcile();
  EXPECT_EQ(plans.back().secret.op, SecretOp::Update);
  EXPECT_FALSE(plans.back().secret.write_keys);
  EXPECT_TRUE(plans.back().secret.owner_reference);
  EXPECT_FALSE(HasEvent(plans.back(), v::kEventKeysSynced));
  EXPECT_TRUE(plans.back().restarts.empty());
}

TEST(Decide, TamperedSecretIsRestoredWithoutNewRollout) {
  Sim s = Settled();
  s.o.secret.current_fingerprint = "deadbeef";
  s.o.secret.keys_hash = "tampered";
  Plan p = Decide(s.o, s.now);
  EXPECT_EQ(p.secret.op, SecretOp::Update);
  EXPECT_TRUE(p.secret.write_keys);
  EXPECT_TRUE(p.restarts.empty());  // consumers already carry the provider's keysHash
  ASSERT_TRUE(p.status);  // phase Syncing while restoring
  EXPECT_EQ(p.status->keys, s.o.resource.status.keys);  // syncedAt unchanged
}

TEST(Decide, OutOfBandRotationIsSyncedAndHoldsRotations) {
  Sim s = Settled({{"rotation", {{"minInterval", "0s"}}}});
  s.rollouts_complete_at_once = false;
  s.ProviderRotate();  // someone used the console
  s.now += std::chrono::minutes{6};
  auto plans = s.Reconcile();
  const Plan& p = plans.back();
  EXPECT_TRUE(HasEvent(p, v::kEventOutOfBandRotation));
  EXPECT_TRUE(p.secret.write_keys);
  EXPECT_EQ(p.restarts.size(), 2u);
  ASSERT_TRUE(p.status);
  EXPECT_EQ(Cond(*p.status, v::kCondKeysSynced).reason, v::kReasonOutOfBandRotation);
  EXPECT_EQ(Cond(*p.status, v::kCondRotationAllowed).reason, v::kReasonDrift);
  EXPECT_EQ(p.status->keys->synced_at, s.now);
  EXPECT_EQ(p.status->rotation_count, 0);
  // A request meanwhile waits for the consumers.
  SetSpec(s, {{"rotation", {{"minInterval", "0s"}, {"requestID", "r2"}}}});
  s.now += Seconds{1};
  EXPECT_FALSE(s.Reconcile().back().rotate);
  s.CompleteRollouts();
  s.Settle();
  EXPECT_EQ(s.provider_rotations, 2);  // the console's and ours
  EXPECT_EQ(s.o.resource.status.rotation_count, 1);
}

TEST(Decide, ProviderErrorChangesNothingAndBacksOff) {
  Sim s = Settled();
  s.now += std::chrono::minutes{6};
  s.o.provider = ObservedProvider{s.now, std::nullopt, ProviderError{ProviderErrorKind::Unavailable, "HTTP 503"}};
  Plan p = Decide(s.o, s.now);
  EXPECT_FALSE(p.read_provider);
  EXPECT_EQ(p.secret.op, SecretOp::None);
  EXPECT_TRUE(p.restarts.empty());
  EXPECT_TRUE(p.backoff);
  ASSERT_TRUE(p.status);
  EXPECT_EQ(Cond(*p.status, v::kCondKeysSynced).reason, v::kReasonProviderError);
  EXPECT_NE(Cond(*p.status, v::kCondKeysSynced).message.find("HTTP 503"), std::string::npos);
  EXPECT_EQ(Cond(*p.status, v::kCondRotationAllowed).reason, v::kReasonProviderError);
  EXPECT_EQ(p.status->phase, v::kPhaseBlocked);
  EXPECT_TRUE(HasEvent(p, v::kEventProviderError));
  s.o.resource.status = *p.status;
  // Within kProviderRetryAfter: no re-read, no write, no event; just backoff.
  Plan q = Decide(s.o, s.now + Seconds{2});
  EXPECT_FALSE(q.read_provider);
  EXPECT_FALSE(q.status);
  EXPECT_TRUE(q.events.empty());
  EXPECT_TRUE(q.backoff);
  // Later: read again.
  EXPECT_TRUE(Decide(s.o, s.now + Seconds{6}).read_provider);
}

TEST(Decide, RestartBudgetCountsRolloutsInFlight) {
  Sim s(Resource({{"consumers", {{"deployments", {{{"name", "a"}}, {{"name", "b"}}, {{"name", "c"}}}},
                                  {"maxConcurrentRestarts", 1}}}}));
  s.o.consumers = {Deployment("a", std::nullopt), Deployment("b", std::nullopt), Deployment("c", std::nullopt)};
  s.rollouts_complete_at_once = false;
  auto plans = s.Reconcile();
  ASSERT_EQ(plans.back().restarts.size(), 1u);
  EXPECT_EQ(plans.back().restarts[0].name, "a");
  s.now += Seconds{1};
  Plan p = Decide(s.o, s.now);
  EXPECT_TRUE(p.restarts.empty()) << "a is still rolling out";
  s.CompleteRollouts();
  plans = s.Reconcile();
  ASSERT_EQ(plans.back().restarts.size(), 1u);
  EXPECT_EQ(plans.back().restarts[0].name, "b");
}

TEST(Decide, RestartNoneWaitsForTheConsumerReport) {
  Sim s(Resource({{"consumers", {{"restart", "None"}}}}));
  s.Settle();
  EXPECT_EQ(s.o.consumers[0].generation, 5) << "no restart with restart: None";
  const Status& st = s.o.resource.status;
  EXPECT_EQ(Cond(st, v::kCondConsumersUpToDate).reason, v::kReasonConsumerStale);
  EXPECT_EQ(st.phase, v::kPhaseWaitingForConsumers);
  for (auto& d : s.o.consumers) d.observed_keys_hash = s.PK().keys_hash;
  s.Settle();
  EXPECT_EQ(s.o.resource.status.phase, v::kPhaseReady);
}

TEST(Decide, FailedAndMissingConsumersBlock) {
  Sim s = Settled();
  s.o.consumers[0].progressing_status = "False";
  s.o.consumers[0].progressing_reason = "ProgressDeadlineExceeded";
  s.o.consumers[1].found = false;
  SetSpec(s, {{"rotation", {{"requestID", "r2"}}}});
  s.Settle();
  EXPECT_EQ(s.provider_rotations, 0);
  const Status& st = s.o.resource.status;
  EXPECT_EQ(Cond(st, v::kCondRotationAllowed).reason, v::kReasonConsumerNotFound);
  EXPECT_EQ(st.phase, v::kPhaseBlocked);
  s.o.consumers[1].found = true;
  s.Settle();
  EXPECT_EQ(Cond(s.o.resource.status, v::kCondRotationAllowed).reason, v::kReasonConsumerRolloutFailed);
  EXPECT_NE(Cond(s.o.resource.status, v::kCondRotationAllowed).message.find("api"), std::string::npos);
  EXPECT_EQ(s.provider_rotations, 0);
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::rotation

namespace keyroll::rotation {
namespace {
namespace KEYROLL_UNITY_ID {

using namespace keyroll::rotation::testing;
namespace v = vocab;

// A GitOps tool that syncs the pod template back removes keyroll.dev/keys-hash after every
// restart. keyroll patches a bounded number of times, then stops, says why and how to fix it,
// and never rotates past that consumer.
TEST(Decide, ARestartAnnotationThatKeepsBeingRemovedIsReportedAfterBoundedTries) {
  Sim s;
  int patches = 0, reverted_events = 0;
  for (int round = 0; round < 10; ++round) {
    auto plans = s.Reconcile();
    for (const auto& p : plans) {
      for (const auto& r : p.restarts) patches += r.name == "worker";
      reverted_events += HasEvent(p, v::kEventConsumerRestartReverted);
    }
    s.CompleteRollouts();
    auto& worker = s.o.consumers[1];
    if (worker.template_keys_hash) {  // the self-heal: the template as it is in git
      worker.template_keys_hash.reset();
      worker.generation += 1;
      worker.observed_generation = worker.generation;
    }
    s.now += Seconds{1};
  }
  EXPECT_EQ(patches, 3) << "three tries, then keyroll stops fighting";
  EXPECT_EQ(reverted_events, 1) << "said once, not on every reconcile";
  const Status& st = s.o.resource.status;
  EXPECT_EQ(Cond(st, v::kCondConsumersUpToDate).reason, v::kReasonConsumerCannotComplete);
  EXPECT_NE(Cond(st, v::kCondConsumersUpToDate).message.find("ignoreDifferences"), std::string::npos);
  EXPECT_EQ(st.phase, v::kPhaseBlocked);
  ASSERT_EQ(st.consumers.size(), 2u);
  EXPECT_EQ(st.consumers[1].restarts, 3);

  // A requested rotation waits for it.
  SetSpec(s, {{"rotation", {{"requestID", "r1"}}}});
  s.o.resource.status.observed_generation = s.o.resource.meta.generation;  // as if nothing reset the count
  s.Reconcile();
  EXPECT_EQ(s.provider_rotations, 0);
  EXPECT_EQ(Cond(s.o.resource.status, v::kCondRotationAllowed).reason, v::kReasonConsumerCannotComplete);
}

TEST(Decide, AnEditedSpecLetsKeyrollTryTheRestartAgain) {
  Sim s;
  for (int round = 0; round < 6; ++round) {
    s.Reconcile();
    s.CompleteRollouts();
    s.o.consumers[1].template_keys_hash.reset();
    s.now += Seconds{1};
  }
  ASSERT_EQ(s.o.resource.status.consumers[1].restarts, 3);
  SetSpec(s, {{"refreshInterval", "6m"}});  // e.g. after the GitOps tool was told to ignore it
  auto plans = s.Reconcile();
  int patches = 0;
  for (const auto& p : plans)
    for (const auto& r : p.restarts) patches += r.name == "worker";
  EXPECT_EQ(patches, 1);
}

// A template written by another controller (ownerReference controller: true) is never patched.
TEST(Decide, ATemplateOwnedByAnotherControllerIsReportedNotPatched) {
  Sim s;
  s.o.consumers[1].controller_owner = "Revision/worker-00001";
  s.Settle();
  for (const auto& d : s.o.consumers)
    if (d.name == "worker") {
      EXPECT_FALSE(d.template_keys_hash.has_value()) << "patched";
    }
  const Status& st = s.o.resource.status;
  EXPECT_EQ(Cond(st, v::kCondConsumersUpToDate).reason, v::kReasonConsumerCannotComplete);
  EXPECT_NE(Cond(st, v::kCondConsumersUpToDate).message.find("Revision/worker-00001"), std::string::npos);
  // restart: None: the owner's pods report themselves, as any consumer's.
  s.o.consumers[1].observed_keys_hash = s.PK().keys_hash;
  SetSpec(s, {{"consumers", {{"restart", "None"}}}});
  for (auto& d : s.o.consumers) d.observed_keys_hash = s.PK().keys_hash;
  s.Settle();
  EXPECT_EQ(s.o.resource.status.phase, v::kPhaseReady);
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::rotation
