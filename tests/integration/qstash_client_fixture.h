// Shared set-up for the QStash client integration tests: an in-process FakeQStash over TLS,
// a client that trusts its CA, an injected sleeper that records instead of waiting, and a
// spdlog sink that captures everything logged, checked for leaked secrets after every test.
#pragma once

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <mutex>
#include <sstream>
#include <vector>

#include "operator/providers/http_exchange.h"
#include "operator/providers/qstash/client.h"
#include "tests/fakes/qstash/fake_qstash.h"

namespace keyroll::testing {

class QStashClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(log_);
    auto logger = std::make_shared<spdlog::logger>("capture", sink);
    logger->set_level(spdlog::level::trace);
    previous_ = spdlog::default_logger();
    spdlog::set_default_logger(logger);
    fake_.Start();
    token_ = fake_.CreateAccount();
  }

  void TearDown() override {
    providers::CloseIdleProviderConnections();
    fake_.Stop();
    spdlog::set_default_logger(previous_);
    std::string logged = log_.str();
    if (!observed_.empty()) {
      EXPECT_FALSE(logged.empty()) << "requests were made but nothing was logged: the leak check would prove nothing";
    }
    for (const auto& secret : fake_.AllSecrets()) {
      EXPECT_EQ(logged.find(secret), std::string::npos) << "a key or token appeared in the log";
    }
    for (const auto& message : messages_) {
      for (const auto& secret : fake_.AllSecrets()) {
        EXPECT_EQ(message.find(secret), std::string::npos) << "a key or token appeared in an error message";
      }
    }
  }

  providers::qstash::ClientOptions Options(const std::string& token) {
    providers::qstash::ClientOptions o;
    o.url = fake_.base_url();
    o.token = providers::SecretValue(token);
    o.tls.ca_pem = fake_.ca_cert_pem();
    o.timeouts.connect = std::chrono::seconds(5);
    o.timeouts.read = std::chrono::seconds(10);
    o.sleep = [this](std::chrono::milliseconds d) {
      std::lock_guard lock(mu_);
      sleeps_.push_back(d);
    };
    o.jitter = [] { return 1.0; };
    o.observer = [this](std::string_view op, int code) {
      std::lock_guard lock(mu_);
      observed_.emplace_back(std::string(op), code);
    };
    return o;
  }

  std::unique_ptr<providers::qstash::Client> Make(providers::qstash::ClientOptions o) {
    auto c = providers::qstash::Client::Create(std::move(o));
    EXPECT_TRUE(c.ok()) << (c.ok() ? "" : c.error().message);
    return std::move(c.value());
  }
  std::unique_ptr<providers::qstash::Client> Make() { return Make(Options(token_)); }

  // Records an error message for the leak check and returns it.
  providers::ProviderError Err(const providers::Result<providers::KeySet>& r) {
    EXPECT_FALSE(r.ok());
    messages_.push_back(r.error().message);
    return r.ok() ? providers::ProviderError{} : r.error();
  }

  fakes::FakeAccountState State() { return fake_.Account(token_).value(); }

  fakes::FakeQStash fake_;
  std::string token_;
  std::ostringstream log_;
  std::shared_ptr<spdlog::logger> previous_;
  std::mutex mu_;
  std::vector<std::chrono::milliseconds> sleeps_;
  std::vector<std::pair<std::string, int>> observed_;
  std::vector<std::string> messages_;
};

}  // namespace keyroll::testing
