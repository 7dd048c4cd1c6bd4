// Every fault switch, through the library API and through the /_fake/ control endpoint, and
// the request counters tests use to count writes and spot hot loops, and the write journal.
#include "operator/base/encoding.h"
#include "tests/integration/fake_kube_fixture.h"

namespace keyroll::fakes {
namespace {
namespace KEYROLL_UNITY_ID {

using keyroll::testing::WaitUntil;

constexpr const char* kConfigMaps = "/api/v1/namespaces/wire-capture/configmaps";

class FakeKubeFaultsTest : public FakeKubeTest {
 protected:
  // POST /_fake/<path> with the admin token.
  HttpAnswer Control(const std::string& path, const json& body = json::object()) {
    return client().Post("/_fake/" + path, body);
  }
};

TEST_F(FakeKubeFaultsTest, DropAllWatchesNow) {
  auto a = Watch(std::string(kConfigMaps) + "?watch=true");
  auto b = Watch("/api/v1/secrets?watch=true");
  ASSERT_TRUE(WaitUntil([&] { return api().stats().open_watches() == 2; }));
  api().DropWatches();
  EXPECT_TRUE(WaitUntil([&] { return a->ended() && b->ended(); }));
  EXPECT_FALSE(a->complete());  // cut off, not ended cleanly

  auto c = Watch(std::string(kConfigMaps) + "?watch=true");
  ASSERT_TRUE(WaitUntil([&] { return api().stats().open_watches() == 1; }));
  EXPECT_EQ(Control("watches/drop").status, 200);
  EXPECT_TRUE(WaitUntil([&] { return c->ended(); }));
}

TEST_F(FakeKubeFaultsTest, DropWatchesEveryInterval) {
  EXPECT_EQ(Control("watches/drop-every", {{"interval_ms", 300}}).status, 200);
  auto a = Watch(std::string(kConfigMaps) + "?watch=true");
  EXPECT_TRUE(WaitUntil([&] { return a->ended(); }));
  auto b = Watch(std::string(kConfigMaps) + "?watch=true");
  EXPECT_TRUE(WaitUntil([&] { return b->ended(); }));
  api().DropWatchesEvery(std::chrono::milliseconds(0));
  auto c = Watch(std::string(kConfigMaps) + "?watch=true&timeoutSeconds=2");
  EXPECT_TRUE(WaitUntil([&] { return c->ended(); }));
  EXPECT_TRUE(c->complete());  // lived to its own timeout
}

TEST_F(FakeKubeFaultsTest, ExpireWatchesSendsErrorAndEmptiesHistory) {
  std::string rv = client().Get(kConfigMaps).Json()["metadata"]["resourceVersion"];
  MustCreate(kConfigMaps, {{"metadata", {{"name", "a"}}}});
  auto watch = Watch(std::string(kConfigMaps) + "?watch=true&resourceVersion=" + rv);
  ASSERT_TRUE(watch->WaitForEvents(1));
  EXPECT_EQ(Control("watches/expire", {{"send_error", true}, {"clear_history", true}}).status, 200);
  ASSERT_TRUE(watch->WaitForEvents(2));
  json error = watch->Events()[1];
  EXPECT_EQ(error["type"], "ERROR");
  EXPECT_EQ(error["object"]["code"], 410);
  EXPECT_EQ(error["object"]["reason"], "Expired");
  EXPECT_TRUE(WaitUntil([&] { return watch->ended(); }));
  auto again = Watch(std::string(kConfigMaps) + "?watch=true&resourceVersion=" + rv);
  ASSERT_TRUE(again->WaitForEvents(1));
  EXPECT_EQ(again->Events()[0]["type"], "ERROR");
}

TEST_F(FakeKubeFaultsTest, FailNextRequestsWith500MatchingMethodAndPath) {
  api().faults().FailNext({2, 500, "GET", "/api/v1/namespaces/wire-capture/configmaps", 0});
  EXPECT_EQ(client().Get("/api/v1/namespaces/wire-capture/secrets").status, 200);  // not matching
  HttpAnswer failed = client().Get(kConfigMaps);
  EXPECT_EQ(failed.status, 500);
  EXPECT_EQ(failed.Json()["reason"], "InternalError");
  EXPECT_EQ(failed.Json()["kind"], "Status");
  EXPECT_EQ(client().Get(kConfigMaps).status, 500);
  EXPECT_EQ(client().Get(kConfigMaps).status, 200);
}

TEST_F(FakeKubeFaultsTest, FailNextWith429AndRetryAfterOverHttp) {
  EXPECT_EQ(Control("fail-next", {{"count", 1}, {"code", 429}, {"retry_after_seconds", 3}}).status, 200);
  HttpAnswer limited = client().Get(kConfigMaps);
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(limited.Header("Retry-After"), "3");
  EXPECT_EQ(limited.Json()["reason"], "TooManyRequests");
  EXPECT_EQ(limited.Json()["details"]["retryAfterSeconds"], 3);
  EXPECT_EQ(client().Get(kConfigMaps).status, 200);
  EXPECT_EQ(Control("fail-next", {{"code", 418}}).status, 400);
}

TEST_F(FakeKubeFaultsTest, LatencyDelaysEveryRequest) {
  EXPECT_EQ(Control("latency", {{"ms", 300}}).status, 200);
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(client().Get(kConfigMaps).status, 200);
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(300));
  api().faults().SetLatency(std::chrono::milliseconds(0));
}

TEST_F(FakeKubeFaultsTest, ConflictNextWrites) {
  MustCreate(kConfigMaps, {{"metadata", {{"name", "a"}}}});
  std::string a = std::string(kConfigMaps) + "/a";
  EXPECT_EQ(Control("conflict-next-writes", {{"count", 2}}).status, 200);
  EXPECT_EQ(client().Get(a).status, 200);  // reads are not affected
  HttpAnswer first = client().Patch(a, R"({"data":{"k":"1"}})");
  EXPECT_EQ(first.status, 409);
  EXPECT_EQ(first.Json()["reason"], "Conflict");
  EXPECT_EQ(first.Json()["details"]["name"], "a");
  EXPECT_EQ(client().Put(a, {{"metadata", {{"name", "a"}}}}).status, 409);
  EXPECT_EQ(client().Patch(a, R"({"data":{"k":"1"}})").status, 200);
}

TEST_F(FakeKubeFaultsTest, StatsCountRequestsByVerbAndResource) {
  api().stats().Reset();
  MustCreate(kConfigMaps, {{"metadata", {{"name", "a"}}}});
  client().Patch(std::string(kConfigMaps) + "/a", R"({"data":{"k":"1"}})");
  client().Get(kConfigMaps);
  client().Get(std::string(kConfigMaps) + "/a");
  client().Delete(std::string(kConfigMaps) + "/a");
  EXPECT_EQ(api().stats().Writes(), 3);
  EXPECT_EQ(api().stats().ByRequest("patch", "configmaps"), 1);
  HttpAnswer stats = client().Get("/_fake/stats");
  ASSERT_EQ(stats.status, 200);
  json s = stats.Json();
  EXPECT_EQ(s["by_verb"]["create"], 1);
  EXPECT_EQ(s["by_verb"]["list"], 1);
  EXPECT_EQ(s["by_verb"]["get"], 1);
  EXPECT_EQ(s["by_request"]["delete configmaps"], 1);
  EXPECT_EQ(s["total"], 5);
  EXPECT_EQ(Control("stats/reset").status, 200);
  EXPECT_EQ(client().Get("/_fake/stats").Json()["total"], 0);
}

TEST_F(FakeKubeFaultsTest, ControlEndpointNeedsTheAdminToken) {
  api().AddUser("dev-token", "dev", {PolicyRule{{"*"}, {"*"}, {"*"}, {}}});
  client().set_token("dev-token");
  EXPECT_EQ(Control("latency", {{"ms", 1000}}).status, 403);
  client().set_token("nope");
  EXPECT_EQ(Control("latency", {{"ms", 1000}}).status, 401);
  EXPECT_EQ(api().faults().latency().count(), 0);
  client().set_token(api().admin_token());
  EXPECT_EQ(Control("no-such-switch").status, 404);
  EXPECT_EQ(client().PostRaw("/_fake/latency", "{", "application/json").status, 400);
}

TEST_F(FakeKubeFaultsTest, ResetClearsEveryFault) {
  Control("latency", {{"ms", 50}});
  Control("conflict-next-writes", {{"count", 5}});
  Control("fail-next", {{"count", 5}});
  Control("faults/reset");
  json f = client().Get("/_fake/faults").Json();
  EXPECT_EQ(f["latency_ms"], 0);
  EXPECT_EQ(f["conflict_next_writes"], 0);
  EXPECT_EQ(f["fail_next"].size(), 0u);
}

// GET /_fake/journal: every write in the order of the resourceVersions it produced, with its
// verb, subresource, User-Agent and fieldManager and the object after it; a Secret without its
// values; the server's own writes (a new namespace's ConfigMap) with no User-Agent.
TEST_F(FakeKubeFaultsTest, JournalHasEveryWriteInTheServersOrderAndNoSecretValue) {
  CreateWidgetCrd();
  const std::string widgets = "/apis/wire.example.com/v1alpha1/namespaces/wire-capture/widgets";
  const std::string a = std::string(kConfigMaps) + "/a";
  MustCreate(kConfigMaps, {{"metadata", {{"name", "a"}}}});
  ASSERT_EQ(client().Patch(a + "?fieldManager=tester", R"({"data":{"k":"1"}})").status, 200);
  MustCreate("/api/v1/namespaces/wire-capture/secrets",
             {{"metadata", {{"name", "s"}}}, {"stringData", {{"key", "journal-must-not-hold-this"}}}});
  MustCreate(widgets, {{"apiVersion", "wire.example.com/v1alpha1"}, {"kind", "Widget"}, {"metadata", {{"name", "w"}}}});
  ASSERT_EQ(client().Patch(widgets + "/w/status", R"({"status":{"phase":"Ready"}})").status, 200);
  ASSERT_EQ(client().Delete(a).status, 200);

  HttpAnswer answer = client().Get("/_fake/journal?namespace=wire-capture");
  ASSERT_EQ(answer.status, 200);
  EXPECT_EQ(answer.body.find("journal-must-not-hold-this"), std::string::npos);
  EXPECT_EQ(answer.body.find(base::Base64Encode("journal-must-not-hold-this")), std::string::npos);
  json journal = answer.Json();
  EXPECT_EQ(journal["dropped"], 0);
  std::vector<std::string> writes;
  int64_t last_rv = 0;
  for (const auto& e : journal["entries"]) {
    EXPECT_GT(e["rv"].get<int64_t>(), last_rv) << "in the order of the resourceVersions";
    last_rv = e["rv"];
    EXPECT_EQ(e["object"]["metadata"]["resourceVersion"], std::to_string(last_rv)) << e.dump();
    EXPECT_EQ(e["namespace"], "wire-capture");
    if (e["name"] == "kube-root-ca.crt") {
      EXPECT_EQ(e["user_agent"], "") << "the server's own write";
    }
    if (e["user_agent"] == "") continue;
    writes.push_back(e["type"].get<std::string>() + " " + e["verb"].get<std::string>() + " " +
                     e["resource"].get<std::string>() + " " + e["name"].get<std::string>() +
                     (e["subresource"] == "" ? "" : "/" + e["subresource"].get<std::string>()) +
                     (e["field_manager"] == "" ? "" : " by " + e["field_manager"].get<std::string>()));
    if (e["resource"] == "/secrets") {
      EXPECT_FALSE(e["object"].contains("data")) << "metadata only";
    }
    if (e["verb"] == "patch" && e["resource"] == "/configmaps") {
      EXPECT_EQ(e["object"]["data"]["k"], "1");
    }
  }
  EXPECT_EQ(writes, (std::vector<std::string>{"ADDED create /configmaps a", "MODIFIED patch /configmaps a by tester",
                                              "ADDED create /secrets s", "ADDED create wire.example.com/widgets w",
                                              "MODIFIED patch wire.example.com/widgets w/status",
                                              "DELETED delete /configmaps a"}));
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::fakes
