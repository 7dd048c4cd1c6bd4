// client: the QStash signing-keys client (GET /v2/keys, POST /v2/keys/rotate), a Provider.
// Bearer token in a header only; timeouts on every call; reads retried with jittered
// backoff honouring Retry-After / Burst-RateLimit-Reset / RateLimit-Reset; rotate never
// retried (a lost answer is kOutcomeUnknown); answers validated (keys_answer.h).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "operator/providers/http_endpoint.h"
#include "operator/providers/provider.h"
#include "operator/providers/retry.h"

namespace keyroll::providers::qstash {

inline constexpr const char* kDefaultUrl = "https://qstash.upstash.io";

struct ClientOptions {
  std::string url = kDefaultUrl;  // region base URL; http:// is accepted (tests; warn about it)
  SecretValue token;              // QSTASH_TOKEN
  TlsOptions tls;
  HttpTimeouts timeouts;
  RetryPolicy retry;
  RequestObserver observer;  // optional: one call per HTTP request
  // Injectable for tests: how to wait, what time it is, randomness in [0,1] for jitter.
  std::function<void(std::chrono::milliseconds)> sleep;
  std::function<SystemTime()> now;
  std::function<double()> jitter;
};

class Client final : public Provider {
 public:
  // kBadConfig for an invalid URL or an empty token.
  static Result<std::unique_ptr<Client>> Create(ClientOptions options);

  Result<KeySet> ReadKeys() override;
  Result<KeySet> Rotate() override;
  std::string AccountId() const override { return account_id_; }
  std::string Name() const override { return "qstash"; }
  const BaseUrl& url() const { return url_; }

 private:
  Client(ClientOptions options, BaseUrl url);
  struct Attempt;
  Attempt Send(const char* op, bool post);
  ProviderError ErrorFromStatus(const Attempt& a, bool rotate) const;

  ClientOptions options_;
  BaseUrl url_;
  std::string account_id_;
};

}  // namespace keyroll::providers::qstash
