// The basic reconcile loop with the real keyroll binary: first sync into an owned Secret,
// steady state without writes, invalid spec, a Secret keyroll does not own, a missing token
// Secret, one rotation per requestID, a discovered consumer restarted, two resources on one
// account, a deleted Secret recreated, clean SIGTERM, and no key material in the log.
#include "tests/integration/controller_fixture.h"
#include "tests/support/e2e_objects.h"

namespace keyroll::testing {
namespace {
namespace KEYROLL_UNITY_ID {

const kube::ResourceRef& kSkr = kube::resources::kSigningKeyRotations;
const kube::ResourceRef& kSecrets = kube::resources::kSecrets;

TEST_F(ControllerTest, SyncsProviderKeysIntoAnOwnedSecretThenMakesNoWrites) {
  StartKeyroll();
  json skr = CreateSkr("payments", QStashSpec({{"target", {{"secretName", "signing-keys"}}}}));
  ASSERT_TRUE(WaitUntil([&] { return ConditionIs("payments", "Ready", "True"); }, 30s)) << Log();

  auto account = qstash_->Account(token_).value();
  auto secret = Get(kSecrets, "signing-keys");
  ASSERT_TRUE(secret);
  EXPECT_TRUE(SecretValue(*secret, "QSTASH_CURRENT_SIGNING_KEY") == account.current);
  EXPECT_TRUE(SecretValue(*secret, "QSTASH_NEXT_SIGNING_KEY") == account.next);
  const json& meta = (*secret)["metadata"];
  ASSERT_EQ(meta["ownerReferences"].size(), 1u);
  EXPECT_EQ(meta["ownerReferences"][0]["uid"], skr["metadata"]["uid"]);
  EXPECT_EQ(meta["ownerReferences"][0]["kind"], "SigningKeyRotation");
  EXPECT_EQ(meta["ownerReferences"][0]["controller"], true);
  EXPECT_EQ(meta["labels"]["app.kubernetes.io/managed-by"], "keyroll");
  EXPECT_EQ(meta["annotations"]["keyroll.dev/owner"], "payments");
  const std::string hash = base::KeysHash(account.current, account.next);
  EXPECT_EQ(meta["annotations"]["keyroll.dev/keys-hash"], hash);

  json status = Get(kSkr, "payments").value()["status"];
  EXPECT_EQ(status["phase"], "Ready");
  EXPECT_EQ(status["keys"]["currentFingerprint"], base::Fingerprint(account.current));
  EXPECT_EQ(status["keys"]["nextFingerprint"], base::Fingerprint(account.next));
  EXPECT_EQ(status["keys"]["keysHash"], hash);
  EXPECT_EQ(status.value("rotationCount", 0), 0);
  EXPECT_TRUE(ConditionIs("payments", "KeysSynced", "True"));
  EXPECT_TRUE(ConditionIs("payments", "ConsumersUpToDate", "True"));
  EXPECT_TRUE(ConditionIs("payments", "RotationAllowed", "True"));
  EXPECT_EQ(account.rotations, 0);

  // Steady state: the Ready status is the first sync's last write (a first sync that restarts
  // nobody emits no event: the KeysSynced condition says it, issue 17); from now on nothing
  // changes, so nothing may be written.
  EXPECT_EQ(qstash_->Account(token_)->rotations, 0);
  if (cluster_->is_fake()) {
    int before = Writes();
    std::this_thread::sleep_for(3s);  // a window for writes that must not happen
    EXPECT_EQ(Writes(), before) << cluster_->Stats().dump() << "\n" << Log();
  }
  EXPECT_EQ(CountEvents(SkrEvents(client(), ns(), "payments"), "KeysSynced"), 0) << Log();

  // SIGTERM: a clean stop with exit code 0.
  ExpectNoKeyMaterialInLog();
  auto exit_status = keyroll_->Stop(10s);
  keyroll_.reset();
  ASSERT_TRUE(exit_status);
  EXPECT_TRUE(WIFEXITED(*exit_status));
  EXPECT_EQ(WEXITSTATUS(*exit_status), 0);
  KEYROLL_SKIP_UNLESS_FAKE(*cluster_, "no writes in steady state (the fake's request counters)");
}

TEST_F(ControllerTest, InvalidSpecGetsInvalidSpecAndNoSecret) {
  StartKeyroll();
  // What the schema admits (five cron fields) and only keyroll can judge: minute 61 does not exist.
  CreateSkr("broken", QStashSpec({{"target", {{"secretName", "broken-keys"}}},
                                  {"rotation", {{"schedule", "61 3 * * 1"}}}}));
  ASSERT_TRUE(WaitUntil([&] { return ConditionIs("broken", "Ready", "False", "InvalidSpec"); }, 30s)) << Log();
  json ready = Condition("broken", "Ready");
  EXPECT_NE(ready.value("message", "").find("spec.rotation.schedule"), std::string::npos) << ready.dump();
  EXPECT_FALSE(Get(kSecrets, "broken-keys"));
  EXPECT_EQ(qstash_->Account(token_)->requests.count("get_keys"), 0u);
}

// What the CRD's schema refuses never reaches keyroll: the API server answers 422 (the fake
// validates as a real server does).
TEST_F(ControllerTest, ScheduleTheSchemaRefusesIsRefusedAtCreate) {
  auto r = client().Create(kube::resources::kSigningKeyRotations, ns(),
                           Skr("refused", QStashSpec({{"rotation", {{"schedule", "every monday"}}}})));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, 422) << r.error().ToString();
  ASSERT_EQ(r.error().causes.size(), 1u) << r.error().ToString();
  EXPECT_EQ(r.error().causes[0].field, "spec.rotation.schedule");
  EXPECT_FALSE(Get(kube::resources::kSigningKeyRotations, "refused"));
}

TEST_F(ControllerTest, PreExistingSecretItDoesNotOwnIsAConflictAndUntouched) {
  json theirs = {{"apiVersion", "v1"}, {"kind", "Secret"}, {"metadata", {{"name", "their-keys"}}},
                 {"data", {{"QSTASH_CURRENT_SIGNING_KEY", base::Base64Encode("not-keyrolls-1")},
                           {"QSTASH_NEXT_SIGNING_KEY", base::Base64Encode("not-keyrolls-2")}}}};
  auto created = client().Create(kSecrets, ns(), theirs);
  ASSERT_TRUE(created);
  StartKeyroll();
  CreateSkr("payments", QStashSpec({{"target", {{"secretName", "their-keys"}}}}));
  auto has_conflict = [&] {
    auto o = Get(kSkr, "payments");
    if (!o) return false;
    for (const auto& c : o->value("status", json::object()).value("conditions", json::array()))
      if (c.value("reason", "") == "SecretConflict" && c.value("status", "") == "False") return true;
    return false;
  };
  ASSERT_TRUE(WaitUntil(has_conflict, 30s)) << Log();
  EXPECT_TRUE(ConditionIs("payments", "Ready", "False"));
  auto after = Get(kSecrets, "their-keys").value();
  EXPECT_EQ(after["metadata"]["resourceVersion"], (*created)["metadata"]["resourceVersion"]);
  EXPECT_EQ(SecretValue(after, "QSTASH_CURRENT_SIGNING_KEY"), "not-keyrolls-1");
  EXPECT_FALSE(after["metadata"].contains("ownerReferences"));
  EXPECT_EQ(qstash_->Account(token_)->rotations, 0);
}

TEST_F(ControllerTest, MissingTokenSecretIsAProviderErrorNotACrash) {
  StartKeyroll();
  CreateSkr("orphan", QStashSpec({{"provider", {{"qstash", {{"tokenSecretRef", {{"name", "nope"}}}}}}}}));
  ASSERT_TRUE(WaitUntil([&] {
    json c = Condition("orphan", "Ready");
    return !c.is_null() && c.value("status", "") == "False" &&
           c.value("message", "").find("nope") != std::string::npos;
  }, 30s)) << Log();
  EXPECT_TRUE(keyroll_->running());
  EXPECT_FALSE(Get(kSecrets, "orphan"));
}

TEST_F(ControllerTest, RequestIdBumpRotatesExactlyOnceAndUpdatesTheSecret) {
  StartKeyroll();
  CreateSkr("payments", QStashSpec());
  ASSERT_TRUE(WaitUntil([&] { return ConditionIs("payments", "Ready", "True"); }, 30s)) << Log();
  auto before = qstash_->Account(token_).value();
  ASSERT_EQ(before.rotations, 0);

  auto patched = client().MergePatch(kSkr, ns(), "payments", {{"spec", {{"rotation", {{"requestID", "r1"}}}}}});
  ASSERT_TRUE(patched);
  ASSERT_TRUE(WaitUntil([&] {
    json s = Get(kSkr, "payments").value()["status"];
    return s.value("lastHandledRequestID", "") == "r1" && s.value("rotationCount", 0) == 1 &&
           !s.contains("pendingRotation") && ConditionIs("payments", "Ready", "True");
  }, 30s)) << Log();

  auto after = qstash_->Account(token_).value();
  EXPECT_EQ(after.rotations, 1);
  EXPECT_TRUE(after.current == before.next);  // QStash: next becomes current
  auto secret = Get(kSecrets, "payments").value();
  EXPECT_TRUE(SecretValue(secret, "QSTASH_CURRENT_SIGNING_KEY") == after.current);
  EXPECT_TRUE(SecretValue(secret, "QSTASH_NEXT_SIGNING_KEY") == after.next);
  json status = Get(kSkr, "payments").value()["status"];
  EXPECT_EQ(status["keys"]["currentFingerprint"], base::Fingerprint(after.current));

  // The same requestID never rotates again.
  std::this_thread::sleep_for(2s);
  EXPECT_EQ(qstash_->Account(token_)->rotations, 1);
}

TEST_F(ControllerTest, DiscoveredConsumerIsRestartedOnceWithTheKeysHash) {
  json deployment = json::parse(R"({"apiVersion": "apps/v1", "kind": "Deployment",
    "metadata": {"name": "api", "labels": {"app": "api"}},
    "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "api"}},
      "template": {"metadata": {"labels": {"app": "api"}},
        "spec": {"containers": [{"name": "c", "image": "demo", "envFrom": [{"secretRef": {"name": "payments"}}]}]}}}})");
  ASSERT_TRUE(client().Create(kube::resources::kDeployments, ns(), deployment));
  StartKeyroll();
  CreateSkr("payments", QStashSpec());
  auto account = qstash_->Account(token_).value();
  const std::string hash = base::KeysHash(account.current, account.next);
  auto template_hash = [&] {
    auto d = Get(kube::resources::kDeployments, "api");
    if (!d) return std::string();
    return d->value("spec", json::object()).value("template", json::object()).value("metadata", json::object())
        .value("annotations", json::object()).value("keyroll.dev/keys-hash", "");
  };
  ASSERT_TRUE(WaitUntil([&] { return template_hash() == hash; }, 30s)) << Log();
  // Restarted, rollout not done: the consumer is not up to date yet.
  EXPECT_TRUE(WaitUntil([&] { return ConditionIs("payments", "ConsumersUpToDate", "False"); }, 30s)) << Log();

  // Play the deployment controller: the rollout of the new template completes.
  auto d = Get(kube::resources::kDeployments, "api").value();
  json status = {{"observedGeneration", d["metadata"]["generation"]}, {"replicas", 1}, {"updatedReplicas", 1},
                 {"readyReplicas", 1}, {"availableReplicas", 1}};
  ASSERT_TRUE(client().MergePatchStatus(kube::resources::kDeployments, ns(), "api", {{"status", status}}));
  ASSERT_TRUE(WaitUntil([&] { return ConditionIs("payments", "ConsumersUpToDate", "True"); }, 30s)) << Log();
  EXPECT_TRUE(ConditionIs("payments", "Ready", "True"));
  json consumers = Get(kSkr, "payments").value()["status"]["consumers"];
  ASSERT_EQ(consumers.size(), 1u) << consumers.dump();
  EXPECT_EQ(consumers[0]["name"], "api");
  EXPECT_EQ(consumers[0]["upToDate"], true);
  EXPECT_EQ(Get(kSkr, "payments").value()["status"]["consumersReady"], "1/1");
  // One restart for one key set: the generation moved once.
  EXPECT_EQ(Get(kube::resources::kDeployments, "api").value()["metadata"]["generation"], d["metadata"]["generation"]);
}

TEST_F(ControllerTest, TheYoungerOfTwoResourcesOnOneAccountOnlySyncs) {
  StartKeyroll();
  CreateSkr("first", QStashSpec({{"target", {{"secretName", "first-keys"}}}}));
  ASSERT_TRUE(WaitUntil([&] { return ConditionIs("first", "Ready", "True"); }, 30s)) << Log();
  std::this_thread::sleep_for(1100ms);  // creationTimestamp has whole seconds: make "second" younger
  CreateSkr("second", QStashSpec({{"target", {{"secretName", "second-keys"}}}}));
  ASSERT_TRUE(WaitUntil([&] { return ConditionIs("second", "RotationAllowed", "False", "Conflict"); }, 30s)) << Log();
  EXPECT_NE(Condition("second", "RotationAllowed").value("message", "").find("first"), std::string::npos);
  EXPECT_TRUE(ConditionIs("first", "RotationAllowed", "True"));
  auto account = qstash_->Account(token_).value();
  ASSERT_TRUE(WaitUntil([&] { return static_cast<bool>(Get(kSecrets, "second-keys")); }, 30s));
  EXPECT_TRUE(SecretValue(Get(kSecrets, "second-keys").value(), "QSTASH_CURRENT_SIGNING_KEY") == account.current);

  // A request on the younger one is held; the account is never rotated by it.
  ASSERT_TRUE(client().MergePatch(kSkr, ns(), "second", {{"spec", {{"rotation", {{"requestID", "r1"}}}}}}));
  std::this_thread::sleep_for(2s);
  EXPECT_EQ(qstash_->Account(token_)->rotations, 0);
  EXPECT_TRUE(ConditionIs("second", "RotationAllowed", "False", "Conflict"));
}

TEST_F(ControllerTest, ADeletedSecretIsRecreatedFromTheProvidersKeys) {
  StartKeyroll();
  CreateSkr("payments", QStashSpec());
  ASSERT_TRUE(WaitUntil([&] { return ConditionIs("payments", "Ready", "True"); }, 30s)) << Log();
  std::string uid = Get(kSecrets, "payments").value()["metadata"]["uid"];
  ASSERT_TRUE(client().Delete(kSecrets, ns(), "payments"));
  auto account = qstash_->Account(token_).value();
  ASSERT_TRUE(WaitUntil([&] {
    auto s = Get(kSecrets, "payments");
    return s && (*s)["metadata"]["uid"] != uid;
  }, 30s)) << Log();
  auto s = Get(kSecrets, "payments").value();
  EXPECT_TRUE(SecretValue(s, "QSTASH_CURRENT_SIGNING_KEY") == account.current);
  EXPECT_TRUE(SecretValue(s, "QSTASH_NEXT_SIGNING_KEY") == account.next);
  EXPECT_EQ(qstash_->Account(token_)->rotations, 0);
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::testing
