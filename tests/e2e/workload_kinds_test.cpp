// Scenario 9: every workload kind that rolls out from a pod template is a consumer. A
// StatefulSet and a DaemonSet (declared, or discovered because they read the Secret) are
// restarted with the keys, hold a requested rotation while their rollout is incomplete, and
// let exactly one rotation through once it completes. Rollouts that cannot finish by
// themselves (updateStrategy OnDelete, a StatefulSet partition) get ConsumerCannotComplete with
// what a person can do, and the rotation waits until the pods were replaced. The restart
// budget counts rollouts of every kind.
#include <gtest/gtest.h>

#include "operator/base/fingerprint.h"
#include "operator/rotation/timestamp.h"
#include "tests/support/e2e_environment.h"
#include "tests/support/wait.h"

namespace keyroll::testing {
namespace {
namespace KEYROLL_UNITY_ID {

constexpr const char* kSecret = "qstash-signing-keys";

std::string RotationAllowedReason(const json& skr) { return StrAt(FindCondition(skr, "RotationAllowed"), "/reason"); }

bool RotationBlockedBy(const json& skr, const std::string& reason, const std::string& consumer) {
  json c = FindCondition(skr, "RotationAllowed");
  return c.is_object() && StrAt(c, "/status") == "False" && StrAt(c, "/reason") == reason &&
         StrAt(c, "/message").find(consumer) != std::string::npos;
}

std::string TemplateHash(E2EEnvironment& env, const kube::ResourceRef& r, const std::string& name) {
  auto w = GetObject(env.kube(), r, env.ns(), name);
  return w->value("/spec/template/metadata/annotations"_json_pointer, json::object()).value("keyroll.dev/keys-hash", "");
}

// A request made before the first sync is the resource's initial value (no rotation): tests
// request after keyroll wrote the keys.
void WaitForFirstSync(E2EEnvironment& env) {
  json skr = env.WaitSkr("payments", [](const json& s) { return !StrAt(s, "/status/keys/keysHash").empty(); });
  ASSERT_FALSE(StrAt(skr, "/status/keys/keysHash").empty()) << ConditionSummary(skr);
}

std::vector<std::string> ConsumerKinds(const json& skr) {
  std::vector<std::string> out;
  for (const auto& c : skr["status"].value("consumers", json::array()))
    out.push_back(c.value("kind", "") + "/" + c.value("name", ""));
  std::sort(out.begin(), out.end());
  return out;
}

TEST(E2EWorkloadKinds, StatefulSetAndDaemonSetHoldTheGateUntilTheyRolledOut) {
  KEYROLL_E2E_REQUIRE_OPERATOR();
  E2EEnvironment env;
  KEYROLL_SKIP_UNLESS_SIMULATED_ROLLOUTS(env, "rollouts held back (Hold)");
  env.CreateDeployment(MakeDeployment("api", kSecret, SecretUse::kEnvFrom));
  env.CreateWorkload(MakeStatefulSet("worker", kSecret, SecretUse::kEnvFrom));   // declared
  env.CreateWorkload(MakeDaemonSet("edge", kSecret, SecretUse::kProjectedVolume));  // discovered
  ASSERT_TRUE(WaitUntil([&] { return env.workloads().Rollouts().size() == 3; }));
  json resource = MakeQStashSkr("payments", env.qstash_url(), kSecret, {"api", "StatefulSet/worker"});
  resource["spec"]["consumers"]["maxConcurrentRestarts"] = 3;
  env.CreateSkr(resource);
  json skr = env.WaitSkr("payments", IsReadyAndSynced);
  ASSERT_TRUE(IsReadyAndSynced(skr)) << ConditionSummary(skr);
  EXPECT_EQ(ConsumerKinds(skr), (std::vector<std::string>{"DaemonSet/edge", "Deployment/api", "StatefulSet/worker"}));
  EXPECT_EQ(StrAt(skr, "/status/consumersReady"), "3/3");
  std::string hash = StrAt(skr, "/status/keys/keysHash");
  EXPECT_EQ(TemplateHash(env, kube::resources::kStatefulSets, "worker"), hash);
  EXPECT_EQ(TemplateHash(env, kube::resources::kDaemonSets, "edge"), hash);

  // Each kind in turn holds a rotation while its rollout is incomplete.
  int rotations = 0;
  for (const std::string held : {"StatefulSet/worker", "DaemonSet/edge"}) {
    env.workloads().Hold(held);
    const std::string request = "r-" + held.substr(0, held.find('/'));
    RequestRotation(env.kube(), env.ns(), "payments", request);
    // The rotation happens (every consumer ran the keys), then the restart of `held` stays
    // incomplete: the next request waits for it.
    skr = env.WaitSkr("payments", [&](const json& s) {
      return StrAt(s, "/status/lastHandledRequestID") == request;
    }, std::chrono::seconds(30));
    ASSERT_EQ(StrAt(skr, "/status/lastHandledRequestID"), request) << ConditionSummary(skr);
    ++rotations;
    RequestRotation(env.kube(), env.ns(), "payments", request + "-again");
    skr = env.WaitSkr("payments", [&](const json& s) {
      return RotationBlockedBy(s, "ConsumerStale", held) && StrAt(s, "/status/consumersReady") == "2/3";
    });
    ASSERT_TRUE(RotationBlockedBy(skr, "ConsumerStale", held)) << ConditionSummary(skr);
    EXPECT_EQ(skr["status"]["phase"], "WaitingForConsumers");
    EXPECT_EQ(StrAt(skr, "/status/consumersReady"), "2/3");
    EXPECT_EQ(env.account().rotations, rotations);

    env.workloads().Release(held);
    skr = env.WaitSkr("payments", [&](const json& s) {
      return IsReadyAndSynced(s) && StrAt(s, "/status/lastHandledRequestID") == request + "-again";
    }, std::chrono::seconds(30));
    ASSERT_TRUE(IsReadyAndSynced(skr)) << ConditionSummary(skr);
    ++rotations;
    EXPECT_EQ(env.account().rotations, rotations) << "exactly one rotation per opening of the gate";
  }
  EXPECT_TRUE(env.SecretMatchesProvider(kSecret));
  auto events = SkrEvents(env.kube(), env.ns(), "payments");
  bool named = false;
  for (const auto& e : events)
    named = named || (e.value("message", "").find("restarting ") != std::string::npos &&
                      e.value("message", "").find("StatefulSet \"worker\"") != std::string::npos);
  EXPECT_TRUE(named) << "an event (KeysSynced or ConsumerRestarted: one per reconcile) names the StatefulSet";
  EXPECT_EQ(env.FindLeaks(), std::vector<std::string>{});
  KEYROLL_EXPECT_GATE_HELD(env, "payments", env.account().rotations, "api", "StatefulSet/worker", "DaemonSet/edge");
}

TEST(E2EWorkloadKinds, AnUndeclaredStatefulSetThatReadsTheSecretBlocksTheRotation) {
  KEYROLL_E2E_REQUIRE_OPERATOR();
  E2EEnvironment env;
  KEYROLL_SKIP_UNLESS_SIMULATED_ROLLOUTS(env, "a rollout held back (Hold)");
  env.CreateDeployment(MakeDeployment("api", kSecret, SecretUse::kEnvFrom));
  env.CreateWorkload(MakeStatefulSet("db", kSecret, SecretUse::kSecretKeyRef));  // nobody declared it
  env.CreateWorkload(MakeStatefulSet("cache", "something-else", SecretUse::kEnvFrom));  // not a reader
  ASSERT_TRUE(WaitUntil([&] { return env.workloads().Rollouts().size() == 3; }));
  env.workloads().Hold("StatefulSet/db");
  json resource = MakeQStashSkr("payments", env.qstash_url(), kSecret, {"api"});
  resource["spec"]["consumers"]["maxConcurrentRestarts"] = 2;
  env.CreateSkr(resource);
  WaitForFirstSync(env);
  RequestRotation(env.kube(), env.ns(), "payments", "r1");
  json skr = env.WaitSkr("payments", [](const json& s) {
    return RotationBlockedBy(s, "ConsumerStale", "StatefulSet/db") && StrAt(s, "/status/consumersReady") == "1/2";
  });
  ASSERT_TRUE(RotationBlockedBy(skr, "ConsumerStale", "StatefulSet/db")) << ConditionSummary(skr);
  EXPECT_EQ(env.account().rotations, 0);
  EXPECT_EQ(ConsumerKinds(skr), (std::vector<std::string>{"Deployment/api", "StatefulSet/db"}));

  env.workloads().Release("StatefulSet/db");
  skr = env.WaitSkr("payments", [](const json& s) {
    return IsReadyAndSynced(s) && StrAt(s, "/status/lastHandledRequestID") == "r1";
  }, std::chrono::seconds(30));
  ASSERT_TRUE(IsReadyAndSynced(skr)) << ConditionSummary(skr);
  EXPECT_EQ(env.account().rotations, 1);
  EXPECT_EQ(TemplateHash(env, kube::resources::kStatefulSets, "cache"), "") << "a StatefulSet that does not read it";
  KEYROLL_EXPECT_GATE_HELD(env, "payments", env.account().rotations, "api", "StatefulSet/db");
}

// OnDelete and partitions: keyroll patches the template (so replaced pods get the keys), says
// the rollout cannot finish by itself and what to do, and waits; never rotates past it.
TEST(E2EWorkloadKinds, RolloutsThatCannotFinishByThemselvesAreReportedNotWaitedOnSilently) {
  KEYROLL_E2E_REQUIRE_OPERATOR();
  E2EEnvironment env;
  KEYROLL_SKIP_UNLESS_SIMULATED_ROLLOUTS(env, "pods replaced as a person would (ReplacePods)");
  env.CreateWorkload(MakeStatefulSet("ledger", kSecret, SecretUse::kEnvFrom, 2, "OnDelete"));
  env.CreateWorkload(MakeStatefulSet("shards", kSecret, SecretUse::kEnvFrom, 3, "RollingUpdate", 2));
  env.CreateWorkload(MakeDaemonSet("agent", kSecret, SecretUse::kVolume, "OnDelete"));
  ASSERT_TRUE(WaitUntil([&] { return env.workloads().Rollouts().size() == 3; }));
  json resource = MakeQStashSkr("payments", env.qstash_url(), kSecret, {});
  resource["spec"]["consumers"]["maxConcurrentRestarts"] = 1;  // none of them may hold a slot forever
  env.CreateSkr(resource);
  WaitForFirstSync(env);
  RequestRotation(env.kube(), env.ns(), "payments", "r1");
  json skr = env.WaitSkr("payments", [](const json& s) {
    json c = FindCondition(s, "RotationAllowed");
    const std::string m = StrAt(c, "/message");
    return StrAt(c, "/reason") == "ConsumerCannotComplete" && m.find("StatefulSet/ledger") != std::string::npos &&
           m.find("StatefulSet/shards") != std::string::npos && m.find("DaemonSet/agent") != std::string::npos;
  });
  ASSERT_EQ(RotationAllowedReason(skr), "ConsumerCannotComplete") << ConditionSummary(skr);
  const std::string message = StrAt(FindCondition(skr, "RotationAllowed"), "/message");
  EXPECT_NE(message.find("updateStrategy OnDelete"), std::string::npos) << message;
  EXPECT_NE(message.find("partition 2 keeps 2 pods"), std::string::npos) << message;
  EXPECT_NE(message.find("consumers.restart: None"), std::string::npos) << message;
  EXPECT_EQ(skr["status"]["phase"], "Blocked");
  EXPECT_EQ(StrAt(FindCondition(skr, "Ready"), "/reason"), "ConsumerCannotComplete");
  EXPECT_EQ(env.account().rotations, 0);
  std::string hash = StrAt(skr, "/status/keys/keysHash");
  for (const char* sts : {"ledger", "shards"})
    EXPECT_EQ(TemplateHash(env, kube::resources::kStatefulSets, sts), hash) << sts << ": the template carries the keys";
  EXPECT_EQ(TemplateHash(env, kube::resources::kDaemonSets, "agent"), hash);

  // A person deletes the OnDelete pods and lowers the partition: the gate opens, once. The new
  // keys then wait for the OnDelete pods again, and say so.
  env.workloads().ReplacePods("StatefulSet/ledger");
  env.workloads().ReplacePods("DaemonSet/agent");
  (void)env.kube().MergePatch(kube::resources::kStatefulSets, env.ns(), "shards",
                              {{"spec", {{"updateStrategy", {{"rollingUpdate", {{"partition", 0}}}}}}}});
  skr = env.WaitSkr("payments", [&](const json& s) {
    return StrAt(s, "/status/lastHandledRequestID") == "r1" && StrAt(s, "/status/keys/keysHash") != hash &&
           RotationAllowedReason(s) == "ConsumerCannotComplete";
  }, std::chrono::seconds(30));
  ASSERT_EQ(StrAt(skr, "/status/lastHandledRequestID"), "r1") << ConditionSummary(skr);
  EXPECT_EQ(env.account().rotations, 1);
  EXPECT_EQ(RotationAllowedReason(skr), "ConsumerCannotComplete") << ConditionSummary(skr);
  KEYROLL_EXPECT_GATE_HELD(env, "payments", env.account().rotations,
                           "StatefulSet/ledger", "StatefulSet/shards", "DaemonSet/agent");
}

// maxConcurrentRestarts counts rollouts of every kind: with 1, one workload at a time carries
// the new keys while the others wait for the slot.
TEST(E2EWorkloadKinds, TheRestartBudgetCountsEveryKind) {
  KEYROLL_E2E_REQUIRE_OPERATOR();
  E2EEnvironment env;
  KEYROLL_SKIP_UNLESS_SIMULATED_ROLLOUTS(env, "rollouts held back (Hold)");
  env.CreateDeployment(MakeDeployment("api", kSecret, SecretUse::kEnvFrom));
  env.CreateWorkload(MakeStatefulSet("worker", kSecret, SecretUse::kEnvFrom));
  env.CreateWorkload(MakeDaemonSet("edge", kSecret, SecretUse::kEnvFrom));
  ASSERT_TRUE(WaitUntil([&] { return env.workloads().Rollouts().size() == 3; }));
  for (const char* w : {"api", "StatefulSet/worker", "DaemonSet/edge"}) env.workloads().Hold(w);
  env.CreateSkr(MakeQStashSkr("payments", env.qstash_url(), kSecret, {}));  // maxConcurrentRestarts 1 (default)
  auto restarted = [&](const std::string& hash) {
    return (TemplateHash(env, kube::resources::kDeployments, "api") == hash) +
           (TemplateHash(env, kube::resources::kStatefulSets, "worker") == hash) +
           (TemplateHash(env, kube::resources::kDaemonSets, "edge") == hash);
  };
  json skr = env.WaitSkr("payments", [](const json& s) { return !StrAt(s, "/status/keys/keysHash").empty(); });
  std::string hash = StrAt(skr, "/status/keys/keysHash");
  ASSERT_FALSE(hash.empty()) << ConditionSummary(skr);
  ASSERT_TRUE(WaitUntil([&] { return restarted(hash) == 1; }));
  // Server-side evidence that nothing more happens while the slot is taken: the other two
  // templates still lack the hash after keyroll reconciled the resource again.
  RequestRotation(env.kube(), env.ns(), "payments", "poke");
  env.WaitSkr("payments", [](const json& s) { return RotationBlockedBy(s, "ConsumerStale", ""); });
  EXPECT_EQ(restarted(hash), 1);
  for (const char* w : {"api", "StatefulSet/worker", "DaemonSet/edge"}) env.workloads().Release(w);
  skr = env.WaitSkr("payments", [](const json& s) {
    return IsReadyAndSynced(s) && StrAt(s, "/status/lastHandledRequestID") == "poke";
  }, std::chrono::seconds(40));
  ASSERT_TRUE(IsReadyAndSynced(skr)) << ConditionSummary(skr);
  KEYROLL_EXPECT_GATE_HELD(env, "payments", env.account().rotations, "api", "StatefulSet/worker", "DaemonSet/edge");
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::testing

namespace keyroll::testing {
namespace {
namespace KEYROLL_UNITY_ID {

// Jobs read the keys when their pods start and cannot be restarted: a running Job that
// started before the current keys were written holds the next rotation until it finishes
// (status and the condition name it); a CronJob never holds one (its next Jobs read the keys
// in the Secret then).
TEST(E2EWorkloadKinds, ARunningJobHoldsARotationUntilItFinishesACronJobNever) {
  KEYROLL_E2E_REQUIRE_OPERATOR();
  E2EEnvironment env;
  if (!env.cluster().is_fake())
    GTEST_SKIP() << "a real cluster's job controller writes the Job's status (active, startTime) that this test sets";
  env.CreateDeployment(MakeDeployment("api", "qstash-signing-keys", SecretUse::kEnvFrom));
  env.CreateWorkload(MakeCronJob("nightly", "qstash-signing-keys", SecretUse::kEnvFrom));
  env.CreateWorkload(MakeJob("backfill", "qstash-signing-keys", SecretUse::kVolume));
  // The Job has been running for an hour: its pods hold whatever keys were there before.
  const std::string an_hour_ago = rotation::FormatTimestamp(
      std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()) - std::chrono::hours(1));
  ASSERT_TRUE(env.kube().MergePatchStatus(kube::resources::kJobs, env.ns(), "backfill",
                                          {{"status", {{"active", 1}, {"startTime", an_hour_ago}}}}));
  env.CreateSkr(MakeQStashSkr("payments", env.qstash_url(), "qstash-signing-keys", {"api"}));
  WaitForFirstSync(env);
  RequestRotation(env.kube(), env.ns(), "payments", "r1");
  json skr = env.WaitSkr("payments", [](const json& s) {
    json c = FindCondition(s, "RotationAllowed");
    return StrAt(c, "/reason") == "ConsumerStale" && StrAt(c, "/message").find("Job/backfill") != std::string::npos;
  });
  const std::string message = StrAt(FindCondition(skr, "RotationAllowed"), "/message");
  ASSERT_NE(message.find("Job/backfill (running since " + an_hour_ago), std::string::npos) << ConditionSummary(skr);
  EXPECT_EQ(message.find("CronJob"), std::string::npos) << "a CronJob never holds a rotation: " << message;
  EXPECT_EQ(ConsumerKinds(skr), (std::vector<std::string>{"CronJob/nightly", "Deployment/api", "Job/backfill"}));
  EXPECT_EQ(env.account().rotations, 0);

  // The Job finishes: the rotation goes through, once; the finished Job is no consumer any more.
  ASSERT_TRUE(env.kube().MergePatchStatus(
      kube::resources::kJobs, env.ns(), "backfill",
      {{"status", {{"active", 0}, {"succeeded", 1}, {"completionTime", rotation::FormatTimestamp(
                                                                         std::chrono::floor<std::chrono::seconds>(
                                                                             std::chrono::system_clock::now()))},
                   {"conditions", {{{"type", "Complete"}, {"status", "True"}}}}}}}));
  skr = env.WaitSkr("payments", [](const json& s) {
    return IsReadyAndSynced(s) && StrAt(s, "/status/lastHandledRequestID") == "r1";
  }, std::chrono::seconds(30));
  ASSERT_TRUE(IsReadyAndSynced(skr)) << ConditionSummary(skr);
  EXPECT_EQ(env.account().rotations, 1);
  EXPECT_EQ(ConsumerKinds(skr), (std::vector<std::string>{"CronJob/nightly", "Deployment/api"}));
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::testing
