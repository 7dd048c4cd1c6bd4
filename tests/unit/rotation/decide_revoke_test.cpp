// rotation.revokePrevious (Auth0) in the pure core: the Secret follows jwks.json even when
// current/next stay the same, the status shows kids, and the previous key is revoked only
// when every consumer holds the keys written after the rotation, on a fresh read, once.
#include <gtest/gtest.h>

#include "operator/rotation/revoke.h"
#include "operator/rotation/status_json.h"
#include "tests/unit/rotation/rotation_fixtures.h"

namespace keyroll::rotation {
namespace {
namespace KEYROLL_UNITY_ID {

using namespace keyroll::rotation::testing;
using nlohmann::json;
namespace v = vocab;

json Auth0Resource(bool revoke_previous) {
  json r = Resource();
  r["spec"]["provider"] = {{"auth0", {{"domain", "tenant.eu.auth0.com"}, {"clientSecretRef", {{"name", "auth0"}}}}}};
  r["spec"]["consumers"] = {{"deployments", {{{"name", "api"}}}}};
  r["spec"]["rotation"] = {{"revokePrevious", revoke_previous}, {"minInterval", "0s"}};
  return r;
}

ProviderKeys Auth0Keys(const std::string& jwks, const std::string& previous_kid) {
  ProviderKeys k = KeysOf("-----BEGIN CERTIFICATE-----\nCUR\n", "-----BEGIN CERTIFICATE-----\nNEXT\n");
  k.extra_fingerprints["jwks.json"] = base::Fingerprint(jwks);
  k.current_kid = "kidCurrent";
  k.next_kid = "kidNext";
  k.previous_kid = previous_kid;
  return k;
}

// A controller in miniature: applies each plan's Secret write, restarts (rollouts complete
// at once) and status, and reads the provider when asked.
struct World {
  Observed o;
  Time now = T("2026-02-02T10:00:00Z");
  ProviderKeys provider = Auth0Keys("jwks-with-previous", "kidPrevious");

  explicit World(bool revoke_previous) {
    o.resource = ParseResource(Auth0Resource(revoke_previous));
    o.consumers = {Deployment("api", std::nullopt)};
  }
  void Read() { o.provider = ObservedProvider{now, provider, std::nullopt}; }
  Plan Decided() {
    Plan p = Decide(o, now);
    if (p.read_provider) {
      Read();
      p = Decide(o, now);
    }
    return p;
  }
  Plan Step() {
    Plan p = Decided();
    Apply(p);
    return p;
  }
  void Apply(const Plan& p) {
    auto& s = o.secret;
    if (p.secret.op != SecretOp::None) {
      s.exists = true;
      s.owner_reference_to_resource = p.secret.owner_reference;
      for (const auto& [k, val] : p.secret.labels) s.labels[k] = val;
      for (const auto& [k, val] : p.secret.annotations) s.annotations[k] = val;
      if (p.secret.write_keys) {
        s.current_fingerprint = p.secret.keys.current_fingerprint;
        s.next_fingerprint = p.secret.keys.next_fingerprint;
        s.keys_hash = p.secret.keys.keys_hash;
        for (const auto& [k, fp] : p.secret.keys.extra_fingerprints) s.data_fingerprints[k] = fp;
      }
    }
    for (const auto& r : p.restarts)
      for (auto& d : o.consumers)
        if (d.name == r.name) d.template_keys_hash = r.keys_hash;
    if (p.status) o.resource.status = *p.status;
  }
  // Steps until a plan changes nothing, or would revoke (not applied: this world revokes, and
  // records the intent, only when a test applies that plan).
  Plan Settle() {
    Plan p;
    for (int i = 0; i < 10; ++i) {
      p = Decided();
      if (!p.revoke_kid.empty()) return p;
      Apply(p);
      if (p.secret.op == SecretOp::None && !p.status && p.restarts.empty()) return p;
    }
    ADD_FAILURE() << "did not settle";
    return p;
  }
};

bool HasEvent(const Plan& p, std::string_view reason) {
  for (const auto& e : p.events)
    if (e.reason == reason) return true;
  return false;
}

TEST(DecideRevoke, SyncWritesJwksAndShowsKids) {
  World w(false);
  Plan first = w.Step();
  EXPECT_TRUE(first.secret.write_keys);
  EXPECT_EQ(first.secret.keys.extra_fingerprints.at("jwks.json"), base::Fingerprint("jwks-with-previous"));
  Plan quiet = w.Settle();
  EXPECT_TRUE(quiet.revoke_kid.empty());  // revokePrevious is off
  const auto& k = *w.o.resource.status.keys;
  EXPECT_EQ(k.current_kid, "kidCurrent");
  EXPECT_EQ(k.next_kid, "kidNext");
  EXPECT_EQ(k.previous_kid, "kidPrevious");
  json j = StatusToJson(w.o.resource.status);
  EXPECT_EQ(j["keys"]["currentKid"], "kidCurrent");
  EXPECT_EQ(j["keys"]["previousKid"], "kidPrevious");
  EXPECT_EQ(ParseStatus(j), w.o.resource.status);
  // Steady state: nothing to write.
  w.now += Seconds{1};
  EXPECT_TRUE(MakesNoChanges(Decide(w.o, w.now)));
}

TEST(DecideRevoke, JwksChangeAloneRewritesTheSecretAndUpdatesPreviousKid) {
  World w(false);
  w.Settle();
  std::string rv_hash = w.o.secret.keys_hash;
  // The previous key was revoked (console, or keyroll before a crash): same current/next.
  w.provider = Auth0Keys("jwks-without-previous", "");
  w.now += Seconds{60};
  w.Read();
  Plan p = Decide(w.o, w.now);
  EXPECT_EQ(p.secret.op, SecretOp::Update);
  EXPECT_TRUE(p.secret.write_keys);
  EXPECT_EQ(p.secret.keys.keys_hash, rv_hash);  // keysHash (and so the consumers) unchanged
  EXPECT_TRUE(p.restarts.empty());
  ASSERT_TRUE(p.status);
  EXPECT_EQ(p.status->keys->previous_kid, "");
  EXPECT_TRUE(HasEvent(p, v::kEventPreviousKeyRevoked));
  EXPECT_FALSE(HasEvent(p, v::kEventOutOfBandRotation));
  w.Apply(p);
  w.now += Seconds{1};
  Plan next = w.Settle();  // phase Syncing -> Ready; no further Secret write
  EXPECT_EQ(next.secret.op, SecretOp::None);
  EXPECT_FALSE(HasEvent(next, v::kEventPreviousKeyRevoked));  // once
  w.now += Seconds{1};
  EXPECT_TRUE(MakesNoChanges(Decide(w.o, w.now)));
}

TEST(DecideRevoke, RevokesOnlyWhenEveryConsumerHoldsTheKeysOnAFreshRead) {
  World w(true);
  w.o.consumers[0].updated_replicas = 0;  // api's rollouts never complete for now
  Plan p;
  for (int i = 0; i < 4; ++i) {
    p = w.Step();
    EXPECT_TRUE(p.revoke_kid.empty()) << "revoked while api is stale (step " << i << ")";
    w.now += Seconds{1};
  }
  EXPECT_EQ(w.o.resource.status.keys->previous_kid, "kidPrevious");
  // api completes its rollout of the keys in the Secret.
  w.o.consumers[0].updated_replicas = w.o.consumers[0].replicas;
  w.now += Seconds{30};  // the last read is no longer fresh
  Plan stale = Decide(w.o, w.now);
  EXPECT_TRUE(stale.read_provider) << "must re-read the key list before revoking";
  w.Read();
  p = Decide(w.o, w.now);
  EXPECT_EQ(p.revoke_kid, "kidPrevious");
  EXPECT_FALSE(p.rotate);
}

TEST(DecideRevoke, NeverWithQStashSuspendedOrDuringARotation) {
  World w(true);
  w.Settle();
  w.Read();
  ASSERT_EQ(Decide(w.o, w.now).revoke_kid, "kidPrevious");
  Spec spec = w.o.resource.spec.value();
  std::vector<ConsumerJudgement> none;
  RevokeInput in{spec, w.o.resource.status, w.o.provider.keys, SecretState::InSync, none, false, false, true};
  EXPECT_FALSE(RevokeHeld(in));
  spec.rotation.suspend = true;
  EXPECT_EQ(RevokeHeld(in)->reason, "Suspended");
  spec.rotation.suspend = false;
  in.rotating = true;
  EXPECT_EQ(RevokeHeld(in)->reason, "RotationInProgress");
  in.rotating = false;
  in.account_conflict = true;
  EXPECT_EQ(RevokeHeld(in)->reason, "AccountConflict");
  in.account_conflict = false;
  in.secret = SecretState::Differs;
  EXPECT_EQ(RevokeHeld(in)->reason, "SecretDiffersFromProvider");
  // The parser refuses revokePrevious for QStash (the CRD's CEL rule says the same).
  json q = Resource({{"rotation", {{"revokePrevious", true}}}});
  auto parsed = ParseResource(q);
  ASSERT_FALSE(parsed.spec.ok());
  EXPECT_NE(JoinFieldErrors(parsed.spec.error()).find("spec.rotation.revokePrevious"), std::string::npos);
}

TEST(DecideRevoke, OutcomeWritesTheSecretOnceAndNeverRevokesTwice) {
  World w(true);
  w.Settle();
  w.Read();
  Plan p = Decide(w.o, w.now);
  ASSERT_EQ(p.revoke_kid, "kidPrevious");
  w.Apply(p);
  w.provider = Auth0Keys("jwks-without-previous", "");
  w.o.revoke_outcome = RevokeOutcome{"kidPrevious", true, w.provider, std::nullopt};
  Plan after = Decide(w.o, w.now);
  EXPECT_TRUE(after.revoke_kid.empty());
  EXPECT_EQ(after.revoke_result, v::kRevokeResultSucceeded);
  EXPECT_TRUE(after.secret.write_keys);
  EXPECT_EQ(after.secret.keys.extra_fingerprints.at("jwks.json"), base::Fingerprint("jwks-without-previous"));
  ASSERT_TRUE(after.status);
  EXPECT_EQ(after.status->keys->previous_kid, "");
  ASSERT_TRUE(HasEvent(after, v::kEventPreviousKeyRevoked));
  for (const auto& e : after.events) {
    if (e.reason == v::kEventPreviousKeyRevoked) {
      EXPECT_NE(e.message.find("by keyroll"), std::string::npos);
    }
  }
}

TEST(DecideRevoke, AFailedRevokeIsReportedAndNotRepeatedInTheSameReconcile) {
  World w(true);
  w.Settle();
  w.Read();
  w.o.revoke_outcome = RevokeOutcome{"kidPrevious", false, std::nullopt,
                                     ProviderError{ProviderErrorKind::Timeout, "timed out"}};
  Plan p = Decide(w.o, w.now);
  EXPECT_TRUE(p.revoke_kid.empty());
  EXPECT_TRUE(p.backoff);
  EXPECT_EQ(p.revoke_result, v::kRevokeResultFailed);
  EXPECT_TRUE(HasEvent(p, v::kEventRevokeFailed));
  EXPECT_FALSE(p.secret.write_keys);  // nothing known changed
}

// --- The revocation intent (status.pendingRevocation, crash-safe revocation in decide.h) ---

// Settled with revokePrevious on, the plan that revokes applied: its intent on record, the call
// not (yet) made. Returns that plan.
Plan IntentOnRecord(World& w) {
  w.Settle();
  w.Read();
  Plan p = Decide(w.o, w.now);
  EXPECT_EQ(p.revoke_kid, "kidPrevious");
  w.Apply(p);
  return p;
}

// keyroll restarted: its provider cache is empty and the clock moved on.
void Restarted(World& w, Seconds later = Seconds{5}) {
  w.o.provider = ObservedProvider{};
  w.o.revoke_outcome.reset();
  w.now += later;
}

const char* Message(const Plan& p, std::string_view reason) {
  for (const auto& e : p.events)
    if (e.reason == reason) return e.message.c_str();
  return "";
}

TEST(DecideRevocationIntent, IsRecordedInTheStatusThatMustLandBeforeTheCall) {
  World w(true);
  w.Settle();
  w.Read();
  ASSERT_FALSE(w.o.resource.status.pending_revocation);
  Plan p = Decide(w.o, w.now);
  ASSERT_EQ(p.revoke_kid, "kidPrevious");
  // The status to write records the intent: the controller calls only once it is on record
  // (plan.h); until then the observed status holds none, so a plan that did not land revokes
  // nothing: the next Decide plans the same intent again.
  ASSERT_TRUE(p.status);
  ASSERT_TRUE(p.status->pending_revocation);
  EXPECT_EQ(*p.status->pending_revocation, (PendingRevocation{"kidPrevious", w.now, w.provider.keys_hash}));
  EXPECT_EQ(p.status->keys->keys_hash, w.provider.keys_hash) << "the keys every consumer was judged to hold";
  EXPECT_EQ(Decide(w.o, w.now), p);
  json j = StatusToJson(*p.status);
  EXPECT_EQ(j["pendingRevocation"]["kid"], "kidPrevious");
  EXPECT_EQ(j["pendingRevocation"]["keysHash"], w.provider.keys_hash);
  EXPECT_EQ(ParseStatus(j), *p.status);
  // The intent landed; the same reconcile then calls and decides on the outcome: cleared.
  w.Apply(p);
  w.provider = Auth0Keys("jwks-without-previous", "");
  w.o.revoke_outcome = RevokeOutcome{"kidPrevious", true, w.provider, std::nullopt};
  Plan after = Decide(w.o, w.now);
  ASSERT_TRUE(after.status);
  EXPECT_FALSE(after.status->pending_revocation);
  EXPECT_EQ(after.revoke_result, v::kRevokeResultSucceeded);
  EXPECT_TRUE(after.revoke_kid.empty());
}

TEST(DecideRevocationIntent, FoundRevokedAfterACrashIsClearedAndCountedWithoutASecondCall) {
  World w(true);
  IntentOnRecord(w);
  w.provider = Auth0Keys("jwks-without-previous", "");  // the call landed; keyroll died (after-revoke)
  Restarted(w);
  Plan read = Decide(w.o, w.now);
  EXPECT_TRUE(read.read_provider) << "an intent is resolved on a fresh read only";
  w.Read();
  Plan p = Decide(w.o, w.now);
  EXPECT_TRUE(p.revoke_kid.empty());
  ASSERT_TRUE(p.status);
  EXPECT_FALSE(p.status->pending_revocation);
  EXPECT_EQ(p.status->keys->previous_kid, "");
  EXPECT_EQ(p.revoke_result, v::kRevokeResultSucceeded);
  EXPECT_NE(std::string(Message(p, v::kEventPreviousKeyRevoked)).find("by keyroll"), std::string::npos);
  EXPECT_TRUE(p.secret.write_keys) << "jwks.json loses the key";
  w.Apply(p);
  w.now += Seconds{1};
  Plan quiet = w.Settle();
  EXPECT_TRUE(quiet.revoke_kid.empty());
  EXPECT_FALSE(HasEvent(quiet, v::kEventPreviousKeyRevoked));
}

TEST(DecideRevocationIntent, NotRevokedAfterACrashIsJudgedAgainOnlyOnAReadAfterIt) {
  World w(true);
  IntentOnRecord(w);  // keyroll died before the call (before-revoke)
  // A read from the intent's own second may predate the call: nothing is decided on it.
  Plan same_second = Decide(w.o, w.now);
  EXPECT_TRUE(same_second.revoke_kid.empty());
  EXPECT_FALSE(same_second.read_provider);
  EXPECT_FALSE(same_second.status) << "the intent stays";
  Restarted(w, Seconds{1});
  EXPECT_TRUE(Decide(w.o, w.now).read_provider);
  w.Read();
  Plan p = Decide(w.o, w.now);
  EXPECT_EQ(p.revoke_kid, "kidPrevious");
  ASSERT_TRUE(p.status && p.status->pending_revocation);
  EXPECT_EQ(p.status->pending_revocation->started_at, w.now) << "a new intent, on record before this call";
  EXPECT_TRUE(p.revoke_result.empty());
}

TEST(DecideRevocationIntent, AHoldThatAppliesNowClearsItWithTheHoldsReasonAndRevokesNothing) {
  World w(true);
  IntentOnRecord(w);
  w.o.consumers[0].updated_replicas = 0;  // api is rolling out again (someone restarted it)
  Restarted(w);
  w.Read();
  Plan p = Decide(w.o, w.now);
  EXPECT_TRUE(p.revoke_kid.empty());
  ASSERT_TRUE(p.status);
  EXPECT_FALSE(p.status->pending_revocation);
  const std::string said = Message(p, v::kEventRevocationNotApplied);
  EXPECT_NE(said.find("kidPrevious"), std::string::npos) << said;
  EXPECT_NE(said.find("ConsumerNotUpToDate"), std::string::npos) << said;
  w.Apply(p);
  w.now += Seconds{1};
  EXPECT_TRUE(w.Step().revoke_kid.empty());
  // Suspended: the same, with its own reason.
  World s(true);
  IntentOnRecord(s);
  json suspended = Auth0Resource(true);
  suspended["spec"]["rotation"]["suspend"] = true;
  Status status = s.o.resource.status;
  s.o.resource = ParseResource(suspended);
  s.o.resource.status = status;
  Restarted(s);
  s.Read();
  Plan held = Decide(s.o, s.now);
  EXPECT_TRUE(held.revoke_kid.empty());
  EXPECT_NE(std::string(Message(held, v::kEventRevocationNotApplied)).find("Suspended"), std::string::npos);
}

TEST(DecideRevocationIntent, AKeyNoLongerPreviousIsClearedAsNotPrevious) {
  World w(true);
  IntentOnRecord(w);
  w.provider = Auth0Keys("jwks-after-console-rotations", "kidOther");
  Restarted(w);
  w.Read();
  Plan p = Decide(w.o, w.now);
  ASSERT_TRUE(p.status);
  EXPECT_FALSE(p.status->pending_revocation);
  EXPECT_EQ(p.revoke_result, v::kRevokeResultNotPrevious);
  EXPECT_TRUE(HasEvent(p, v::kEventRevocationNotApplied));
  EXPECT_NE(p.revoke_kid, "kidPrevious");
}

TEST(DecideRevocationIntent, ALostAnswerKeepsItUntilARefusalClearsIt) {
  World w(true);
  IntentOnRecord(w);
  // The answer was lost: it may have happened. The intent stays; no second call.
  w.o.revoke_outcome = RevokeOutcome{"kidPrevious", false, std::nullopt,
                                     ProviderError{ProviderErrorKind::OutcomeUnknown, "connection reset"}};
  Plan lost = Decide(w.o, w.now);
  EXPECT_TRUE(lost.revoke_kid.empty());
  EXPECT_EQ(lost.revoke_result, v::kRevokeResultFailed);
  EXPECT_TRUE(!lost.status || lost.status->pending_revocation);
  w.Apply(lost);
  ASSERT_TRUE(w.o.resource.status.pending_revocation);
  // The next read shows the key revoked: done, once.
  w.provider = Auth0Keys("jwks-without-previous", "");
  Restarted(w, Seconds{1});
  w.Read();
  Plan found = Decide(w.o, w.now);
  EXPECT_TRUE(found.revoke_kid.empty());
  EXPECT_EQ(found.revoke_result, v::kRevokeResultSucceeded);
  ASSERT_TRUE(found.status);
  EXPECT_FALSE(found.status->pending_revocation);
  // A definite refusal clears the intent at once.
  World r(true);
  IntentOnRecord(r);
  r.o.revoke_outcome = RevokeOutcome{"kidPrevious", false, std::nullopt,
                                     ProviderError{ProviderErrorKind::Rejected, "Auth0 answered 400"}};
  Plan refused = Decide(r.o, r.now);
  ASSERT_TRUE(refused.status);
  EXPECT_FALSE(refused.status->pending_revocation);
  EXPECT_TRUE(refused.revoke_kid.empty());
}

TEST(ParseSpecAuth0, CaBundleAndRevokePrevious) {
  json r = Auth0Resource(true);
  r["spec"]["provider"]["auth0"]["caBundle"] = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
  auto ok = ParseResource(r);
  ASSERT_TRUE(ok.spec.ok()) << JoinFieldErrors(ok.spec.error());
  EXPECT_TRUE(ok.spec.value().rotation.revoke_previous);
  EXPECT_NE(AsAuth0(ok.spec.value())->ca_bundle.find("BEGIN CERTIFICATE"), std::string::npos);
  r["spec"]["provider"]["auth0"]["caBundle"] = "not a certificate";
  auto bad = ParseResource(r);
  ASSERT_FALSE(bad.spec.ok());
  EXPECT_NE(JoinFieldErrors(bad.spec.error()).find("spec.provider.auth0.caBundle"), std::string::npos);
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::rotation
