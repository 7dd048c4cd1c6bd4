// fake-auth0 as a process: its CLI, state directory, listening line, control API (state,
// clients, faults, console rotation, private key, token expiry), the client against it with
// the CA from ca.crt, the JWKS endpoint, and a clean stop on SIGTERM.
#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "operator/providers/auth0/client.h"
#include "operator/providers/auth0/signing_keys.h"
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

struct ClientLine {
  std::string id, secret, scopes;
};

class FakeAuth0Process : public ::testing::Test {
 protected:
  void Start(std::vector<std::string> extra) {
    std::vector<std::string> argv = {BuiltBinary("fake-auth0"), "--state-dir", dir_.File("state"), "--key-bank",
                                     std::string(KEYROLL_BINARY_DIR) + "/fake-auth0-key-bank"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    proc_ = std::make_unique<Process>(ProcessOptions{argv, {}, dir_.File("fake.log")});
    static const std::regex line(R"(fake-auth0 listening on https://127\.0\.0\.1:(\d+)\n)");
    std::smatch m;
    std::string out;
    ASSERT_TRUE(WaitUntil([&] {
      out = proc_->Output();
      return std::regex_search(out, m, line);
    })) << out;
    port_ = std::stoi(m[1].str());
    admin_ = Trimmed(ReadFile(dir_.File("state/admin-token")));
  }

  std::vector<ClientLine> Clients() {
    std::istringstream in(ReadFile(dir_.File("state/clients")));
    std::vector<ClientLine> out;
    for (ClientLine c; in >> c.id >> c.secret >> c.scopes;) out.push_back(c);
    return out;
  }

  httplib::Result Call(const std::string& method, const std::string& path, const std::string& body = "",
                       bool admin = true) {
    httplib::SSLClient http("127.0.0.1", port_);
    http.set_ca_cert_path(dir_.File("state/ca.crt"));
    http.enable_server_certificate_verification(true);
    httplib::Headers headers;
    if (admin) headers.emplace("Authorization", "Bearer " + admin_);
    if (method == "GET") return http.Get(path, headers);
    if (method == "PUT") return http.Put(path, headers, body, "application/json");
    return http.Post(path, headers, body, "application/json");
  }

  json State() { return json::parse(Call("GET", "/_fake/state")->body); }

  std::unique_ptr<providers::auth0::Client> ClientFor(const ClientLine& c) {
    providers::auth0::ClientOptions o;
    o.domain = "127.0.0.1:" + std::to_string(port_);
    o.client_id = c.id;
    o.client_secret = providers::SecretValue(c.secret);
    o.tls.ca_file = dir_.File("state/ca.crt");
    o.sleep = [](std::chrono::milliseconds) {};
    return std::move(providers::auth0::Client::Create(std::move(o)).value());
  }

  TempDir dir_;
  std::unique_ptr<Process> proc_;
  int port_ = 0;
  std::string admin_;
};

TEST_F(FakeAuth0Process, WritesItsStateAndServesItsClients) {
  Start({"--clients", "2", "--client", "fixed-id:fixed-secret:read:signing_keys"});
  EXPECT_EQ(std::stoi(ReadFile(dir_.File("state/port"))), port_);
  auto perms = std::filesystem::status(dir_.File("state/clients")).permissions();
  EXPECT_EQ(perms & std::filesystem::perms::others_read, std::filesystem::perms::none);
  auto clients = Clients();
  ASSERT_EQ(clients.size(), 3u);
  int generated = 0;
  for (const auto& c : clients) {
    if (c.id == "fixed-id") {
      EXPECT_EQ(c.secret, "fixed-secret");
      EXPECT_EQ(c.scopes, "read:signing_keys");
      continue;
    }
    ++generated;
    EXPECT_EQ(c.scopes, "read:signing_keys,create:signing_keys,update:signing_keys");
    auto keys = ClientFor(c)->ReadKeys();
    ASSERT_TRUE(keys.ok()) << keys.error().message;
    EXPECT_EQ(keys->metadata.at("currentKid"), State()["current_kid"]);
  }
  EXPECT_EQ(generated, 2);
  auto reader = ClientFor({"fixed-id", "fixed-secret", ""});
  EXPECT_TRUE(reader->ReadKeys().ok());
  EXPECT_EQ(reader->Rotate().error().kind, providers::ErrorKind::kForbidden);

  // The tenant's public JWKS needs no token and lists current and next.
  auto jwks = Call("GET", "/.well-known/jwks.json", "", false);
  ASSERT_TRUE(jwks);
  EXPECT_EQ(jwks->status, 200);
  EXPECT_EQ(json::parse(jwks->body)["keys"].size(), 2u);

  std::string out = proc_->Output();
  EXPECT_EQ(out.find("listening"), out.rfind("listening"));  // exactly one listening line
  for (const auto& c : clients) EXPECT_EQ(out.find(c.secret), std::string::npos);
  EXPECT_EQ(out.find("eyJ"), std::string::npos);
  EXPECT_EQ(out.find("PRIVATE"), std::string::npos);
  auto status = proc_->Stop();
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0);
}

TEST_F(FakeAuth0Process, ControlApiDrivesFaultsRotationsAndTokens) {
  Start({"--rotations-per-day", "2", "--token-lifetime", "3600"});
  auto denied = Call("GET", "/_fake/state", "", false);
  ASSERT_TRUE(denied);
  EXPECT_EQ(denied->status, 401);

  auto created = Call("POST", "/_fake/clients", R"({"client_id":"ctl","client_secret":"ctl-secret"})");
  ASSERT_TRUE(created);
  EXPECT_EQ(created->status, 201);
  auto client = ClientFor({"ctl", "ctl-secret", ""});
  auto before = State();

  ASSERT_EQ(Call("POST", "/_fake/faults", R"({"kind":"drop-after","op":"rotate"})")->status, 201);
  auto rotated = client->Rotate();
  ASSERT_FALSE(rotated.ok());
  EXPECT_EQ(rotated.error().kind, providers::ErrorKind::kOutcomeUnknown);
  EXPECT_EQ(State()["rotations"], 1);
  EXPECT_EQ(State()["current_kid"], before["next_kid"]);

  ASSERT_TRUE(client->Rotate().ok());
  auto limited = client->Rotate();  // --rotations-per-day 2
  ASSERT_FALSE(limited.ok());
  EXPECT_EQ(limited.error().kind, providers::ErrorKind::kRateLimited);
  ASSERT_EQ(Call("PUT", "/_fake/rate-limit", R"({"reset_rotations":true})")->status, 200);
  EXPECT_TRUE(client->Rotate().ok());

  auto console = Call("POST", "/_fake/rotate");  // not rate limited
  ASSERT_TRUE(console);
  EXPECT_EQ(console->status, 200);
  EXPECT_EQ(State()["rotations"], 4);
  auto keys = client->ReadKeys();
  ASSERT_TRUE(keys.ok()) << keys.error().message;
  EXPECT_EQ(keys->metadata.at("currentKid"), json::parse(console->body)["current_kid"]);

  auto key = Call("GET", "/_fake/keys/current/private-key");
  ASSERT_TRUE(key);
  EXPECT_EQ(key->body.rfind("-----BEGIN PRIVATE KEY-----", 0), 0u);

  int unauthorized = State()["unauthorized"];
  ASSERT_EQ(Call("POST", "/_fake/tokens/expire")->status, 200);
  ASSERT_TRUE(client->ReadKeys().ok());  // refused, refreshed, resent
  EXPECT_EQ(State()["unauthorized"], unauthorized + 1);

  auto revoked = client->RevokePrevious();
  ASSERT_TRUE(revoked.ok()) << revoked.error().message;
  EXPECT_TRUE(revoked->revoked);
  EXPECT_EQ(State()["revocations"], 1);
  EXPECT_EQ(Call("POST", "/_fake/faults", R"({"kind":"explode"})")->status, 400);
}

TEST_F(FakeAuth0Process, BadFlagsFailClearly) {
  std::vector<std::string> argv = {BuiltBinary("fake-auth0"), "--client", "only-an-id"};
  Process p(ProcessOptions{argv, {}, dir_.File("bad.log")});
  auto status = p.Wait(std::chrono::seconds(20));
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 1);
  EXPECT_NE(p.Output().find("--client must be ID:SECRET"), std::string::npos) << p.Output();
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::testing
