// API requests of a first sync, pinned so they cannot creep back (issue 17: at most 4 per
// resource). A resource without consumers needs: one GET of its token Secret, one Secret
// create, one status write and one event. No 404 GET before the create (the Secret cache
// answers), no second status write. Counted on the fake API server's request stats (keyroll's
// User-Agent), after keyroll's own start-up lists and watches.
#include <gtest/gtest.h>

#include "tests/support/e2e_environment.h"
#include "tests/support/wait.h"

namespace keyroll::testing {
namespace {

constexpr int kResources = 8;

int64_t KeyrollRequests(TestCluster& c, const std::string& verb = "") {
  json stats = c.Stats();
  json agent = stats["by_user_agent"].value("keyroll", json::object());
  if (verb.empty()) return agent.value("total", int64_t{0});
  return agent["by_verb"].value(verb, int64_t{0});
}

TEST(E2EFirstSyncRequests, AtMostFourApiRequestsPerResource) {
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

  for (int i = 0; i < kResources; ++i) {
    const std::string name = "r" + std::to_string(i);
    CreateObject(env.kube(), kube::resources::kSecrets, env.ns(),
                 {{"apiVersion", "v1"}, {"kind", "Secret"}, {"metadata", {{"name", "token-" + name}}},
                  {"type", "Opaque"}, {"stringData", {{"QSTASH_TOKEN", env.qstash().CreateAccount()}}}});
    json skr = MakeQStashSkr(name, env.qstash_url(), name + "-keys");
    skr["spec"]["provider"]["qstash"]["tokenSecretRef"]["name"] = "token-" + name;
    env.CreateSkr(skr);
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
  EXPECT_LE(after - before, 4 * kResources) << "per resource: " << per_resource;
}

}  // namespace
}  // namespace keyroll::testing
