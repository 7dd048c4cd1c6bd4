// Shared set-up for the Auth0 client integration tests: an in-process FakeAuth0 over TLS, a
// client that trusts its CA, an injected clock and a sleeper that records instead of
// waiting, and a spdlog sink that captures everything logged. After every test the log and
// every error message are checked for the client secrets, every token the fake issued and
// every private key: zero hits allowed.
#pragma once

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <mutex>
#include <sstream>
#include <vector>

#include "operator/providers/http_exchange.h"
#include "operator/providers/auth0/client.h"
#include "tests/fakes/auth0/fake_auth0.h"

namespace keyroll::testing {

// Options for the fakes of these tests: RSA key pairs from a bank shared by every test
// process (generating 2048-bit keys in each of them would dominate the suite's time).
inline fakes::FakeAuth0Options TestFakeOptions() {
  fakes::FakeAuth0Options o;
  o.key_bank_dir = std::string(KEYROLL_BINARY_DIR) + "/fake-auth0-key-bank";
  return o;
}

class Auth0ClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(log_);
    auto logger = std::make_shared<spdlog::logger>("capture", sink);
    logger->set_level(spdlog::level::trace);
    previous_ = spdlog::default_logger();
    spdlog::set_default_logger(logger);
    fake_.Start();
    client_ = fake_.AddClient();
  }

  void TearDown() override {
    auto secrets = fake_.AllSecrets();
    providers::CloseIdleProviderConnections();
    fake_.Stop();
    spdlog::set_default_logger(previous_);
    std::string logged = log_.str();
    if (!observed_.empty()) {
      EXPECT_FALSE(logged.empty()) << "requests were made but nothing was logged: the leak check would prove nothing";
    }
    for (const auto& secret : secrets) {
      EXPECT_EQ(logged.find(secret), std::string::npos) << "a secret, token or key appeared in the log";
      for (const auto& message : messages_) {
        EXPECT_EQ(message.find(secret), std::string::npos) << "a secret, token or key appeared in: " << message.size();
      }
    }
  }

  providers::auth0::ClientOptions Options(const fakes::FakeAuth0Client& c) {
    providers::auth0::ClientOptions o;
    o.domain = fake_.domain();
    o.client_id = c.client_id;
    o.client_secret = providers::SecretValue(c.client_secret);
    o.tls.ca_pem = fake_.ca_cert_pem();
    o.timeouts.connect = std::chrono::seconds(5);
    o.timeouts.read = std::chrono::seconds(10);
    o.sleep = [this](std::chrono::milliseconds d) {
      std::lock_guard lock(mu_);
      sleeps_.push_back(d);
    };
    o.now = [this] {
      std::lock_guard lock(mu_);
      return std::chrono::system_clock::now() + clock_offset_;
    };
    o.jitter = [] { return 1.0; };
    o.observer = [this](std::string_view op, int code) {
      std::lock_guard lock(mu_);
      observed_.emplace_back(std::string(op), code);
    };
    return o;
  }

  std::unique_ptr<providers::auth0::Client> Make(providers::auth0::ClientOptions o) {
    auto c = providers::auth0::Client::Create(std::move(o));
    EXPECT_TRUE(c.ok()) << (c.ok() ? "" : c.error().message);
    return std::move(c.value());
  }
  std::unique_ptr<providers::auth0::Client> Make() { return Make(Options(client_)); }

  // Records an error message for the leak check and returns the error.
  template <typename T>
  providers::ProviderError Err(const providers::Result<T>& r) {
    EXPECT_FALSE(r.ok());
    if (r.ok()) return providers::ProviderError{};
    messages_.push_back(r.error().message);
    return r.error();
  }

  void AdvanceClock(std::chrono::seconds d) {
    std::lock_guard lock(mu_);
    clock_offset_ += d;
  }

  int Count(const std::string& op) {
    auto s = fake_.State();
    return s.requests.count(op) ? s.requests.at(op) : 0;
  }

  fakes::FakeAuth0 fake_{TestFakeOptions()};
  fakes::FakeAuth0Client client_;
  std::ostringstream log_;
  std::shared_ptr<spdlog::logger> previous_;
  std::mutex mu_;
  std::chrono::seconds clock_offset_{0};
  std::vector<std::chrono::milliseconds> sleeps_;
  std::vector<std::pair<std::string, int>> observed_;
  std::vector<std::string> messages_;
};

using fakes::MakeFault;

}  // namespace keyroll::testing
