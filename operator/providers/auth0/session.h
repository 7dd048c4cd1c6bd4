// session: HTTP to one Auth0 tenant's Management API with a client-credentials token.
// Fetches the token (POST /oauth/token), caches it until shortly before it expires, and on
// a 401 fetches a fresh one and sends the call once more. Reads are retried with jittered
// backoff honouring Retry-After / x-ratelimit-reset; Once() calls (rotate, revoke) are not.
// Client secret and tokens travel only in the form body and the Authorization header.
#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "operator/providers/auth0/token.h"
#include "operator/providers/http_endpoint.h"
#include "operator/providers/http_exchange.h"
#include "operator/providers/provider.h"
#include "operator/providers/retry.h"

namespace keyroll::providers::auth0 {

struct ClientOptions {
  // Tenant domain: "tenant.eu.auth0.com" or "host:port" (https), or a full http(s):// base
  // URL (tests; plain http is warned about).
  std::string domain;
  std::string audience;  // "" = https://{domain}/api/v2/
  std::string client_id;
  SecretValue client_secret;
  TlsOptions tls;
  HttpTimeouts timeouts;
  RetryPolicy retry;
  RequestObserver observer;  // ops: token, get_keys, get_key, rotate, revoke
  // Injectable for tests: how to wait, what time it is, randomness in [0,1] for jitter.
  std::function<void(std::chrono::milliseconds)> sleep;
  std::function<SystemTime()> now;
  std::function<double()> jitter;
};

// One HTTP exchange: status 0 when no answer arrived (see error).
using Answer = HttpAnswer;

// What a call is, for error messages and for what a failure means.
enum class CallKind { kRead, kRotate, kRevoke };

class Session {
 public:
  Session(ClientOptions options, BaseUrl url, std::string audience);

  // Sends once (after getting a token, which is retried as a read); on 401 once more with a
  // fresh token (a 401 means the call was not done). Errors only for configuration and token
  // failures; the answer may be any status or a transport failure.
  Result<Answer> Once(const char* op, const char* method, const std::string& path);
  // A read: Once() retried per the policy. A 2xx answer, or the error.
  Result<Answer> Read(const char* op, const std::string& path, const std::string& what);
  // The error for a non-2xx answer (or a transport failure) of a call described by `what`.
  ProviderError ErrorFor(const Answer& a, const std::string& what, CallKind kind) const;

  const ClientOptions& options() const { return options_; }
  const BaseUrl& url() const { return url_; }
  const std::string& audience() const { return audience_; }

 private:
  struct Try;
  Result<Answer> Retrying(const std::string& what, const std::function<Try()>& once);
  Answer Exchange(const char* op, const char* method, const std::string& path, const SecretValue* bearer,
                  const std::string& form, std::optional<ProviderError>* config_error);
  Result<SecretValue> Token(bool fresh);
  Result<SecretValue> FetchToken();
  ProviderError TokenError(const Answer& a) const;
  std::vector<const SecretValue*> Secrets() const;

  ClientOptions options_;
  BaseUrl url_;
  std::string audience_;
  mutable std::recursive_mutex token_mu_;  // recursive: error paths under it read last_token_
  TokenCache cache_;
  SecretValue last_token_;  // for scrubbing error bodies that might echo it
};

}  // namespace keyroll::providers::auth0
