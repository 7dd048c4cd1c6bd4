// `kubectl keyroll verify` on deliveries the QStash fake published and signed: with the
// Secret holding the account's keys it verifies with the current key; with the Secret one
// rotation behind (the provider rotated, the Secret not yet) with the next key; two behind it
// rejects, saying the key is not in the Secret. A changed body or URL is named as such.
#include <gtest/gtest.h>
#include <httplib.h>

#include <mutex>
#include <thread>

#include "cli/errors.h"
#include "operator/base/encoding.h"
#include "tests/cli/cli_run.h"
#include "tests/support/e2e_environment.h"

namespace keyroll::testing {
namespace {
namespace KEYROLL_UNITY_ID {

constexpr const char* kSecret = "qstash-signing-keys";

struct Delivery {
  std::string signature;
  std::string body;
};

// A destination on loopback that keeps the last delivery.
class Destination {
 public:
  Destination() {
    server_.Post("/hook", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lock(mu_);
      last_ = {req.get_header_value("Upstash-Signature"), req.body};
      res.status = 200;
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~Destination() {
    server_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/hook"; }
  Delivery last() {
    std::lock_guard lock(mu_);
    return last_;
  }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  Delivery last_;
};

void ExpectVerdict(const CliRun& run, int exit_code, const std::string& says) {
  EXPECT_EQ(run.exit_code, exit_code) << run.output;
  EXPECT_NE(run.output.find(says), std::string::npos) << run.output;
}

class CliVerify : public ::testing::Test {
 protected:
  void SetUp() override {
    env_ = std::make_unique<E2EEnvironment>(NoOperator());
    env_->CreateSkr(MakeQStashSkr("payments", env_->qstash_url(), kSecret));
    auto account = env_->account();  // the Secret keyroll would write (never printed)
    CreateObject(env_->kube(), kube::resources::kSecrets, env_->ns(),
                 {{"apiVersion", "v1"},
                  {"kind", "Secret"},
                  {"metadata", {{"name", kSecret}}},
                  {"data",
                   {{"QSTASH_CURRENT_SIGNING_KEY", base::Base64Encode(account.current)},
                    {"QSTASH_NEXT_SIGNING_KEY", base::Base64Encode(account.next)}}}});
  }

  // Publishes `body` through the fake to the destination; returns what it delivered.
  Delivery Publish(const std::string& body) {
    httplib::Client http(env_->qstash_url());
    http.enable_server_certificate_verification(false);  // this test is about signatures
    auto res = http.Post("/v2/publish/" + destination_.url(), {{"Authorization", "Bearer " + env_->token()}},
                         body, "application/json");
    EXPECT_TRUE(res && res->status == 201) << (res ? res->body : "no answer");
    Delivery d = destination_.last();
    EXPECT_EQ(d.body, body);
    return d;
  }

  CliRun Verify(const Delivery& d, const std::string& body, const std::string& url) {
    std::string file = dir_.Write("body-" + std::to_string(++n_), body);
    CliRun run = RunCli(env_->cluster(),
                        {"verify", "payments", "--signature", d.signature, "--body", file, "--url", url});
    for (const auto& secret : env_->qstash().AllSecrets())
      EXPECT_EQ(run.output.find(secret), std::string::npos) << "verify printed a key or token";
    return run;
  }

  TempDir dir_;
  int n_ = 0;
  Destination destination_;
  std::unique_ptr<E2EEnvironment> env_;
};

TEST_F(CliVerify, CurrentThenNextThenRejectedTwoRotationsBehind) {
  KEYROLL_E2E_REQUIRE_OPERATOR();
  const std::string body = R"({"order":42})";
  ExpectVerdict(Verify(Publish(body), body, destination_.url()), cli::kExitOk,
                "verified with the current key (QSTASH_CURRENT_SIGNING_KEY");
  // The provider rotates; the Secret still holds the old pair: its next key verifies.
  ASSERT_TRUE(env_->qstash().ConsoleRotate(env_->token()));
  ExpectVerdict(Verify(Publish(body), body, destination_.url()), cli::kExitOk,
                "verified with the next key (QSTASH_NEXT_SIGNING_KEY");
  // Two rotations behind: neither key in the Secret signed it.
  ASSERT_TRUE(env_->qstash().ConsoleRotate(env_->token()));
  ExpectVerdict(Verify(Publish(body), body, destination_.url()), cli::kExitRejected,
                "signed with a key the Secret does not hold");
}

TEST_F(CliVerify, NamesAWrongBodyAndAWrongUrl) {
  KEYROLL_E2E_REQUIRE_OPERATOR();
  const std::string body = R"({"order":7})";
  Delivery d = Publish(body);
  ExpectVerdict(Verify(d, R"({"order":8})", destination_.url()), cli::kExitRejected,
                "the body hash does not match the body");
  ExpectVerdict(Verify(d, body, "https://example.com/other"), cli::kExitRejected,
                "the subject (sub) does not match the URL");
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::testing
