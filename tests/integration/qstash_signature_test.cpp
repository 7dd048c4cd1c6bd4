// The delivery-signature round trip with real processes: the fake publishes signed messages
// to demo-consumer, which verifies them like the SDKs do. One rotation behind still verifies
// (with the next key); two rotations behind rejects everything, the failure keyroll prevents.
#include <gtest/gtest.h>
#include <httplib.h>

#include <nlohmann/json.hpp>
#include <regex>

#include "operator/providers/qstash/receiver.h"
#include "tests/fakes/qstash/fake_qstash.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/wait.h"

namespace keyroll::testing {
namespace {
namespace KEYROLL_UNITY_ID {

using nlohmann::json;

// Starts demo-consumer and waits for its listening line; returns its base URL.
std::string StartConsumer(std::unique_ptr<Process>& proc, const TempDir& dir, std::vector<std::string> args,
                          std::map<std::string, std::string> env = {}) {
  std::vector<std::string> argv = {BuiltBinary("demo-consumer"), "--listen", "127.0.0.1:0"};
  argv.insert(argv.end(), args.begin(), args.end());
  proc = std::make_unique<Process>(ProcessOptions{argv, std::move(env), dir.File("consumer.log")});
  std::smatch m;
  static const std::regex line(R"(demo-consumer listening on (http://127\.0\.0\.1:\d+))");
  std::string out;
  EXPECT_TRUE(WaitUntil([&] {
    out = proc->Output();
    return std::regex_search(out, m, line);
  })) << out;
  return m.size() > 1 ? m[1].str() : "";
}

class SignatureRoundTrip : public ::testing::Test {
 protected:
  void SetUp() override {
    fake_.Start();
    token_ = fake_.CreateAccount();
  }

  // Publishes through the fake; returns its JSON answer.
  json Publish(const std::string& destination, const std::string& body) {
    httplib::Client http(fake_.base_url());
    http.enable_server_certificate_verification(false);  // this test is about signatures, not TLS
    auto res = http.Post("/v2/publish/" + destination, {{"Authorization", "Bearer " + token_}}, body, "text/plain");
    EXPECT_TRUE(res);
    if (!res) return json::object();
    EXPECT_EQ(res->status, 201) << res->body;
    return json::parse(res->body);
  }

  json Stats(const std::string& consumer) {
    httplib::Client http(consumer);
    auto res = http.Get("/stats");
    return res ? json::parse(res->body) : json::object();
  }

  void WriteKeys(const TempDir& dir, const std::string& current, const std::string& next) {
    dir.Write("keys/QSTASH_CURRENT_SIGNING_KEY", current);
    dir.Write("keys/QSTASH_NEXT_SIGNING_KEY", next + "\n");  // a trailing newline is tolerated
  }

  fakes::FakeQStash fake_;
  std::string token_;
};

TEST_F(SignatureRoundTrip, OneRotationBehindVerifiesWithNextTwoBehindRejects) {
  TempDir dir;
  std::filesystem::create_directories(dir.File("keys"));
  auto held = fake_.Account(token_).value();
  WriteKeys(dir, held.current, held.next);
  std::unique_ptr<Process> consumer;
  std::string url = StartConsumer(consumer, dir, {"--keys-dir", dir.File("keys")});
  ASSERT_FALSE(url.empty());

  json a = Publish(url + "/hook", R"({"order": 1})");
  EXPECT_EQ(a["destinationStatus"], 200) << a.dump();
  EXPECT_EQ(a["messageId"].get<std::string>().rfind("msg_", 0), 0u);
  EXPECT_EQ(Stats(url)["accepted_current"], 1);

  ASSERT_TRUE(fake_.ConsoleRotate(token_));  // the consumer still holds the old pair
  EXPECT_EQ(Publish(url + "/hook", "second")["destinationStatus"], 200);
  EXPECT_EQ(Stats(url)["accepted_next"], 1);

  ASSERT_TRUE(fake_.ConsoleRotate(token_));  // two rotations behind
  EXPECT_EQ(Publish(url + "/hook", "third")["destinationStatus"], 401);
  json stats = Stats(url);
  EXPECT_EQ(stats["rejected"], 1);
  EXPECT_EQ(stats["last_result"], "REJECTED: signature matches neither the current nor the next key");

  auto now = fake_.Account(token_).value();  // what keyroll would write into the Secret
  WriteKeys(dir, now.current, now.next);
  EXPECT_EQ(Publish(url + "/hook", "fourth")["destinationStatus"], 200);
  EXPECT_EQ(Stats(url)["accepted_current"], 2);

  std::string out = consumer->Output();
  EXPECT_NE(out.find("accepted (current key)"), std::string::npos) << out;
  EXPECT_NE(out.find("accepted (next key)"), std::string::npos) << out;
  EXPECT_NE(out.find("REJECTED: "), std::string::npos) << out;
  for (const auto& secret : fake_.AllSecrets()) EXPECT_EQ(out.find(secret), std::string::npos);
  EXPECT_EQ(consumer->Stop(), 0);
}

TEST_F(SignatureRoundTrip, KeysFromTheEnvironmentAndTheUrlCheck) {
  TempDir dir;
  auto held = fake_.Account(token_).value();
  std::unique_ptr<Process> consumer;
  std::string url = StartConsumer(consumer, dir, {},
                                  {{"QSTASH_CURRENT_SIGNING_KEY", held.current}, {"QSTASH_NEXT_SIGNING_KEY", held.next}});
  ASSERT_FALSE(url.empty());
  EXPECT_EQ(Publish(url + "/a/b", "x")["destinationStatus"], 200);
  // A delivery signed for another URL is refused (sub claim), even with the right key.
  httplib::Client direct(url);
  providers::qstash::DeliveryClaims claims;
  claims.url = "http://elsewhere.example/hook";
  claims.iat = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
                   .count();
  claims.jti = "msg_elsewhere";
  auto for_elsewhere = direct.Post(
      "/hook", {{"Upstash-Signature", providers::qstash::SignDelivery(providers::SecretValue(held.current), "x", claims)}},
      "x", "text/plain");
  ASSERT_TRUE(for_elsewhere);
  EXPECT_EQ(for_elsewhere->status, 401);
  EXPECT_EQ(Stats(url)["last_result"], "REJECTED: the subject (sub) does not match the URL");
  auto res = direct.Post("/hook", {{"Upstash-Signature", "not.a.jwt"}}, "x", "text/plain");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 401);
  auto unsigned_res = direct.Post("/hook", "x", "text/plain");
  ASSERT_TRUE(unsigned_res);
  EXPECT_EQ(unsigned_res->status, 401);
  EXPECT_EQ(Stats(url)["rejected"], 3);
  EXPECT_EQ(Stats(url)["accepted_current"], 1);
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::testing
