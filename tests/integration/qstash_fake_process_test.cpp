// fake-qstash as a process: its CLI, state directory, listening line, control API, the
// client against it with the CA from ca.crt, and a clean stop on SIGTERM.
#include <gtest/gtest.h>
#include <httplib.h>

#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "operator/providers/qstash/client.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/wait.h"

namespace keyroll::testing {
namespace {
namespace KEYROLL_UNITY_ID {

using nlohmann::json;

std::string Trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

class FakeQStashProcess : public ::testing::Test {
 protected:
  void Start(std::vector<std::string> extra) {
    std::vector<std::string> argv = {BuiltBinary("fake-qstash"), "--state-dir", dir_.File("state")};
    argv.insert(argv.end(), extra.begin(), extra.end());
    proc_ = std::make_unique<Process>(ProcessOptions{argv, {}, dir_.File("fake.log")});
    static const std::regex line(R"(fake-qstash listening on https://127\.0\.0\.1:(\d+)\n)");
    std::smatch m;
    std::string out;
    ASSERT_TRUE(WaitUntil([&] {
      out = proc_->Output();
      return std::regex_search(out, m, line);
    })) << out;
    port_ = std::stoi(m[1].str());
    admin_ = Trimmed(ReadFile(dir_.File("state/admin-token")));
  }

  httplib::Result Control(const std::string& method, const std::string& path, const std::string& body = "",
                          httplib::Headers headers = {}) {
    httplib::SSLClient http("127.0.0.1", port_);
    http.set_ca_cert_path(dir_.File("state/ca.crt"));
    http.enable_server_certificate_verification(true);
    headers.emplace("Authorization", "Bearer " + admin_);
    if (method == "GET") return http.Get(path, headers);
    if (method == "DELETE") return http.Delete(path, headers);
    if (method == "PUT") return http.Put(path, headers, body, "application/json");
    return http.Post(path, headers, body, "application/json");
  }

  providers::qstash::ClientOptions ClientFor(const std::string& token) {
    providers::qstash::ClientOptions o;
    o.url = "https://127.0.0.1:" + std::to_string(port_);
    o.token = providers::SecretValue(token);
    o.tls.ca_file = dir_.File("state/ca.crt");
    o.sleep = [](std::chrono::milliseconds) {};
    return o;
  }

  TempDir dir_;
  std::unique_ptr<Process> proc_;
  int port_ = 0;
  std::string admin_;
};

TEST_F(FakeQStashProcess, WritesItsStateAndServesGeneratedAccounts) {
  Start({"--accounts", "2"});
  EXPECT_EQ(std::stoi(ReadFile(dir_.File("state/port"))), port_);
  std::istringstream tokens(ReadFile(dir_.File("state/tokens")));
  std::vector<std::string> lines;
  for (std::string l; std::getline(tokens, l);) lines.push_back(l);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_NE(lines[0], lines[1]);
  auto a = providers::qstash::Client::Create(ClientFor(lines[0])).value()->ReadKeys();
  auto b = providers::qstash::Client::Create(ClientFor(lines[1])).value()->ReadKeys();
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->current, b->current);  // each account its own keys
  EXPECT_TRUE(std::regex_match(a->current.reveal(), std::regex("sig_[1-9A-HJ-NP-Za-km-z]{28}")));

  std::string out = proc_->Output();
  EXPECT_EQ(out.find("listening"), out.rfind("listening"));  // exactly one listening line
  for (const auto& t : lines) EXPECT_EQ(out.find(t), std::string::npos);
  EXPECT_EQ(out.find("sig_"), std::string::npos);
  auto status = proc_->Stop();
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0);
}

TEST_F(FakeQStashProcess, ControlApiDrivesAccountsFaultsAndRotations) {
  Start({"--account", "token-one"});
  EXPECT_FALSE(std::filesystem::exists(dir_.File("state/tokens")));  // no generated tokens

  httplib::SSLClient anonymous("127.0.0.1", port_);
  anonymous.enable_server_certificate_verification(false);
  auto denied = anonymous.Post("/_fake/accounts", "{}", "application/json");
  ASSERT_TRUE(denied);
  EXPECT_EQ(denied->status, 401);

  auto created = Control("POST", "/_fake/accounts", R"({"token":"token-two","current":"sig_AAA","next":"sig_BBB"})");
  ASSERT_TRUE(created);
  EXPECT_EQ(created->status, 201);
  auto client = std::move(providers::qstash::Client::Create(ClientFor("token-two")).value());
  auto keys = client->ReadKeys();
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ(keys->current.reveal(), "sig_AAA");

  auto fault = Control("POST", "/_fake/faults", R"({"kind":"drop-after","op":"rotate"})");
  ASSERT_TRUE(fault);
  EXPECT_EQ(fault->status, 201);
  auto rotated = client->Rotate();
  ASSERT_FALSE(rotated.ok());
  EXPECT_EQ(rotated.error().kind, providers::ErrorKind::kOutcomeUnknown);
  auto account = Control("GET", "/_fake/account", "", {{"Fake-Account-Token", "token-two"}});
  ASSERT_TRUE(account);
  json state = json::parse(account->body);
  EXPECT_EQ(state["rotations"], 1);
  EXPECT_EQ(state["current"], "sig_BBB");
  EXPECT_EQ(state["requests"]["rotate"], 1);

  ASSERT_EQ(Control("POST", "/_fake/account/rotate", "", {{"Fake-Account-Token", "token-two"}})->status, 200);
  EXPECT_EQ(json::parse(Control("GET", "/_fake/account", "", {{"Fake-Account-Token", "token-two"}})->body)["rotations"], 2);
  EXPECT_EQ(Control("GET", "/_fake/account", "", {{"Fake-Account-Token", "nobody"}})->status, 404);

  ASSERT_EQ(Control("POST", "/_fake/faults", R"({"kind":"status","status":500,"count":10})")->status, 201);
  ASSERT_EQ(Control("DELETE", "/_fake/faults")->status, 200);
  EXPECT_TRUE(client->ReadKeys().ok());
  EXPECT_EQ(Control("POST", "/_fake/faults", R"({"kind":"explode"})")->status, 400);
  EXPECT_EQ(Control("POST", "/_fake/faults", "not json")->status, 400);
  EXPECT_EQ(Control("PUT", "/_fake/rate-limit", R"({"per_second":5})")->status, 200);
  EXPECT_EQ(proc_->Stop(), 0);
}

TEST_F(FakeQStashProcess, BadArgumentsFailClearly) {
  Process p(ProcessOptions{{BuiltBinary("fake-qstash"), "--listen", "nonsense"}, {}, dir_.File("bad.log")});
  auto status = p.Wait(std::chrono::seconds(20));
  ASSERT_TRUE(status.has_value());
  EXPECT_NE(WEXITSTATUS(*status), 0);
  EXPECT_NE(p.Output().find("--listen must be HOST:PORT"), std::string::npos) << p.Output();
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::testing
