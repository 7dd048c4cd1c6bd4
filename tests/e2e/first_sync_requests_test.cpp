// API requests of a first sync, pinned so they cannot creep back (issue 17: at most 4 per
// resource). A resource without consumers needs: one GET of its token Secret, one Secret
// create and one status write. No 404 GET before the create (the Secret cache answers), no
// second status write, no event (the KeysSynced condition says it). A resource with a consumer
// adds its restart (one patch), the one event that names it (KeysSynced) and the status write
// that records the finished rollout, and nothing else: no GET of the Deployment (keyroll's patch
// answer stands in for the cache until the cache catches up). Counted on the fake API server's
// request stats (keyroll's User-Agent), after keyroll's own start-up lists and watches.
#include <gtest/gtest.h>

#include "tests/support/e2e_environment.h"
#include "tests/support/wait.h"

namespace keyroll::testing {
namespace {
namespace KEYROLL_UNITY_ID {

constexpr int kResources = 8;

// Waits until keyroll's request count stops moving (start-up over, or reconciles run out).
int64_t SettledCount(TestCluster& c, std::chrono::milliseconds every);

int64_t KeyrollRequests(TestCluster& c, const std::string& verb = "") {
  json stats = c.Stats();
  json agent = stats["by_user_agent"].value("keyroll", json::object());
  if (verb.empty()) return agent.value("total", int64_t{0});
  return agent["by_verb"].value(verb, int64_t{0});
}

int64_t KeyrollRequest(TestCluster& c, const std::string& verb_and_resource) {
  json agent = c.Stats()["by_user_agent"].value("keyroll", json::object());
  return agent.value("by_request", json::object()).value(verb_and_resource, int64_t{0});
}

int64_t SettledCount(TestCluster& c, std::chrono::milliseconds every) {
  int64_t before = -1, now = 0;
  bool settled = WaitUntil([&] {
    now = KeyrollRequests(c);
    bool still = now == before;
    before = now;
    return still;
  }, std::chrono::seconds(20), every);
  return settled ? now : -1;
}

// Creates the token Secret of a new QStash account for resource `name` and returns the resource
// (not created yet) that reads it: one account per resource, so that none conflicts.
json SkrWithOwnAccount(E2EEnvironment& env, const std::string& name, const std::vector<std::string>& consumers) {
  CreateObject(env.kube(), kube::resources::kSecrets, env.ns(),
               {{"apiVersion", "v1"}, {"kind", "Secret"}, {"metadata", {{"name", "token-" + name}}},
                {"type", "Opaque"}, {"stringData", {{"QSTASH_TOKEN", env.qstash().CreateAccount()}}}});
  json skr = MakeQStashSkr(name, env.qstash_url(), name + "-keys", consumers);
  skr["spec"]["provider"]["qstash"]["tokenSecretRef"]["name"] = "token-" + name;
  return skr;
}

TEST(E2EFirstSyncRequests, ThreeApiRequestsPerResourceWithoutConsumers) {
  KEYROLL_E2E_REQUIRE_OPERATOR();
  E2EOptions options;
  options.start_operator = false;
  options.simulate_workloads = false;
  E2EEnvironment env(options);
  if (!env.cluster().is_fake()) GTEST_SKIP() << "counts requests with the fake API server's /_fake/stats";
  env.StartOperator();
  ASSERT_TRUE(env.keyroll().WaitReady());
  // Start-up (lists, watches) is over once the count stops moving.
  int64_t before = -1;
  ASSERT_TRUE(WaitUntil([&] {
    int64_t now = KeyrollRequests(env.cluster());
    bool still = now == before;
    before = now;
    return still;
  }, std::chrono::seconds(20), std::chrono::milliseconds(500)));
  const int64_t gets_before = KeyrollRequests(env.cluster(), "get");
  const int64_t creates_before = KeyrollRequests(env.cluster(), "create");

  for (int i = 0; i < kResources; ++i) {
    env.CreateSkr(SkrWithOwnAccount(env, "r" + std::to_string(i), {}));
  }
  for (int i = 0; i < kResources; ++i) {
    json skr = env.WaitSkr("r" + std::to_string(i), IsReadyAndSynced);
    ASSERT_TRUE(IsReadyAndSynced(skr)) << ConditionSummary(skr);
  }
  // Let the reconciles woken by keyroll's own writes run out.
  int64_t after = -1;
  ASSERT_TRUE(WaitUntil([&] {
    int64_t now = KeyrollRequests(env.cluster());
    bool still = now == after;
    after = now;
    return still;
  }, std::chrono::seconds(20), std::chrono::milliseconds(1000)));

  const double per_resource = static_cast<double>(after - before) / kResources;
  RecordProperty("api_requests_per_first_sync", std::to_string(per_resource));
  std::cerr << "API requests per first sync: " << per_resource << "\n" << env.cluster().Stats().dump(1) << "\n";
  // The only GET is the token Secret's, once per resource: no 404 GET before the Secret create,
  // and no re-read when a provider read outlasts the worker's wait and the reconcile is
  // requeued, or when another resource's account-conflict check connects this one (the
  // credentials are kept by CredentialSecrets, one GET shared by concurrent connects).
  const int64_t gets = KeyrollRequests(env.cluster(), "get") - gets_before;
  EXPECT_EQ(gets, kResources);
  EXPECT_EQ(KeyrollRequests(env.cluster(), "create") - creates_before, kResources) << "the Secrets, no events";
  EXPECT_LE(after - before, 3 * kResources) << "per resource: " << per_resource;
  for (int i = 0; i < kResources; ++i)
    EXPECT_EQ(SkrEvents(env.kube(), env.ns(), "r" + std::to_string(i)).size(), 0u) << "r" << i;
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::testing

namespace keyroll::testing {
namespace {
namespace KEYROLL_UNITY_ID {

TEST(E2EFirstSyncRequests, AConsumerAddsItsRestartAndOneStatusWriteOnly) {
  KEYROLL_E2E_REQUIRE_OPERATOR();
  E2EOptions options;
  options.start_operator = false;  // the workload simulator runs (its own User-Agent, not counted)
  E2EEnvironment env(options);
  if (!env.cluster().is_fake()) GTEST_SKIP() << "counts requests with the fake API server's /_fake/stats";
  // The consumers exist and have rolled out before keyroll starts: nobody else writes them
  // between keyroll's cache and its patch.
  for (int i = 0; i < kResources; ++i)
    env.CreateDeployment(MakeDeployment("c" + std::to_string(i), "r" + std::to_string(i) + "-keys", SecretUse::kEnvFrom));
  for (int i = 0; i < kResources; ++i)
    ASSERT_TRUE(WaitUntil([&] { return !env.workloads().RolloutsOf("c" + std::to_string(i)).empty(); },
                          std::chrono::seconds(10), std::chrono::milliseconds(20)));
  env.StartOperator();
  ASSERT_TRUE(env.keyroll().WaitReady());
  const int64_t before = SettledCount(env.cluster(), std::chrono::milliseconds(500));
  ASSERT_GE(before, 0);
  env.cluster().Control("stats/reset");

  for (int i = 0; i < kResources; ++i) {
    env.CreateSkr(SkrWithOwnAccount(env, "r" + std::to_string(i), {"c" + std::to_string(i)}));
  }
  for (int i = 0; i < kResources; ++i) {
    json skr = env.WaitSkr("r" + std::to_string(i), IsReadyAndSynced, std::chrono::seconds(30));
    ASSERT_TRUE(IsReadyAndSynced(skr)) << ConditionSummary(skr);
  }
  const int64_t after = SettledCount(env.cluster(), std::chrono::milliseconds(1000));
  ASSERT_GE(after, 0);
  std::cerr << "API requests per first sync with one consumer: " << static_cast<double>(after) / kResources << "\n"
            << env.cluster().Stats()["by_user_agent"].dump(1) << "\n";
  EXPECT_EQ(KeyrollRequest(env.cluster(), "get deployments.apps"), 0) << "the patch answer stands in for the cache";
  EXPECT_EQ(KeyrollRequest(env.cluster(), "patch deployments.apps"), kResources);
  EXPECT_EQ(KeyrollRequest(env.cluster(), "create events"), kResources) << "one event: it names the restart";
  EXPECT_EQ(KeyrollRequest(env.cluster(), "update signingkeyrotations.keyroll.dev/status"), 2 * kResources)
      << "restarting, then Ready";
  EXPECT_EQ(KeyrollRequest(env.cluster(), "create secrets"), kResources);
  const int64_t token_gets = KeyrollRequest(env.cluster(), "get secrets");
  EXPECT_GE(token_gets, kResources);
  EXPECT_LE(token_gets, 2 * kResources);  // the known re-read under load (see above)
  // A loaded machine can also make the reconcile after a status write find the resource's cache
  // behind it: one read-your-writes GET (answers are kept for restart patches only).
  const int64_t resource_gets = KeyrollRequest(env.cluster(), "get signingkeyrotations.keyroll.dev");
  EXPECT_LE(resource_gets, kResources);
  EXPECT_EQ(after - token_gets - resource_gets, 5 * kResources) << "nothing else";
  for (int i = 0; i < kResources; ++i) {
    bool named = false;
    for (const auto& e : SkrEvents(env.kube(), env.ns(), "r" + std::to_string(i)))
      named = named || (e.value("reason", "") == "KeysSynced" &&
                        e.value("message", "").find("restarting Deployment \"c" + std::to_string(i) + "\"") !=
                            std::string::npos);
    EXPECT_TRUE(named) << "r" << i << ": the KeysSynced event names the restart";
  }
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::testing

namespace keyroll::testing {
namespace {
namespace KEYROLL_UNITY_ID {

// Five consumers, two at a time: three batches of restarts. The status is written when the wave
// starts and when it ends (Ready); the batches in between are progress (held, held_status.h).
// One event names the wave (KeysSynced: the restarts now and those that wait for a slot).
TEST(E2EFirstSyncRequests, AWaveOfRestartsInBatchesWritesTheStatusTwiceAndOneEvent) {
  KEYROLL_E2E_REQUIRE_OPERATOR();
  constexpr int kWaves = 2, kConsumers = 5;
  E2EOptions options;
  options.start_operator = false;  // the workload simulator runs (its own User-Agent, not counted)
  E2EEnvironment env(options);
  if (!env.cluster().is_fake()) GTEST_SKIP() << "counts requests with the fake API server's /_fake/stats";
  auto consumer = [](int wave, int i) { return "w" + std::to_string(wave) + "-c" + std::to_string(i); };
  for (int w = 0; w < kWaves; ++w)
    for (int i = 0; i < kConsumers; ++i)
      env.CreateDeployment(MakeDeployment(consumer(w, i), "w" + std::to_string(w) + "-keys", SecretUse::kEnvFrom));
  for (int w = 0; w < kWaves; ++w)
    for (int i = 0; i < kConsumers; ++i)
      ASSERT_TRUE(WaitUntil([&] { return !env.workloads().RolloutsOf(consumer(w, i)).empty(); },
                            std::chrono::seconds(10), std::chrono::milliseconds(20)));
  env.StartOperator();
  ASSERT_TRUE(env.keyroll().WaitReady());
  ASSERT_GE(SettledCount(env.cluster(), std::chrono::milliseconds(500)), 0);
  env.cluster().Control("stats/reset");

  for (int w = 0; w < kWaves; ++w) {
    std::vector<std::string> consumers;
    for (int i = 0; i < kConsumers; ++i) consumers.push_back(consumer(w, i));
    json skr = SkrWithOwnAccount(env, "w" + std::to_string(w), consumers);
    skr["spec"]["consumers"]["maxConcurrentRestarts"] = 2;
    env.CreateSkr(skr);
  }
  std::vector<std::string> hashes;
  for (int w = 0; w < kWaves; ++w) {
    json skr = env.WaitSkr("w" + std::to_string(w), IsReadyAndSynced, std::chrono::seconds(30));
    ASSERT_TRUE(IsReadyAndSynced(skr)) << ConditionSummary(skr);
    EXPECT_EQ(StrAt(skr, "/status/consumersReady"), "5/5");
    const std::string hash = StrAt(skr, "/status/keys/keysHash");
    hashes.push_back(hash);
    ASSERT_EQ(skr["status"]["consumers"].size(), static_cast<size_t>(kConsumers));
    for (const auto& c : skr["status"]["consumers"]) {
      EXPECT_EQ(c.value("restarts", int64_t{0}), 1) << c.dump() << ": every restart in the status";
      EXPECT_EQ(c.value("restartedKeysHash", ""), hash) << c.dump();
    }
  }
  ASSERT_GE(SettledCount(env.cluster(), std::chrono::milliseconds(1000)), 0);
  std::cerr << env.cluster().Stats()["by_user_agent"].dump(1) << "\n";
  EXPECT_EQ(KeyrollRequest(env.cluster(), "patch deployments.apps"), kWaves * kConsumers) << "each consumer once";
  EXPECT_EQ(KeyrollRequest(env.cluster(), "update signingkeyrotations.keyroll.dev/status"), 2 * kWaves)
      << "the wave's start (batch 1 restarting), then Ready";
  EXPECT_EQ(KeyrollRequest(env.cluster(), "create events"), kWaves) << "one event per wave";
  for (int w = 0; w < kWaves; ++w) {
    auto events = SkrEvents(env.kube(), env.ns(), "w" + std::to_string(w));
    ASSERT_EQ(events.size(), 1u);
    const std::string message = events[0].value("message", "");
    EXPECT_EQ(events[0].value("reason", ""), "KeysSynced");
    for (int i = 0; i < kConsumers; ++i)
      EXPECT_NE(message.find("Deployment \"" + consumer(w, i) + "\""), std::string::npos)
          << message << ": the event names every consumer of the wave";
    EXPECT_NE(message.find("as restart slots free up (maxConcurrentRestarts 2)"), std::string::npos) << message;
  }
  for (int w = 0; w < kWaves; ++w)
    for (int i = 0; i < kConsumers; ++i) {
      int restarted = 0;
      for (const auto& r : env.workloads().RolloutsOf(consumer(w, i))) restarted += r.keys_hash == hashes[w];
      EXPECT_EQ(restarted, 1) << consumer(w, i) << ": rolled out once with the keys";
    }
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::testing
