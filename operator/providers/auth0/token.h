// token: the Management API token from the client-credentials grant. Parses the token
// answer and caches the token until shortly before it expires (the clock is passed in).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "operator/providers/provider.h"
#include "operator/providers/retry.h"

namespace keyroll::providers::auth0 {

struct TokenAnswer {
  SecretValue access_token;
  std::chrono::seconds expires_in{0};
  std::string scope;  // space-separated scopes granted ("" when not stated)
};

// {"access_token": non-empty string, "expires_in": positive integer, "token_type": "Bearer"
// (any case; may be absent), "scope"?: string}; else kInvalidAnswer. Never echoes the token.
Result<TokenAnswer> ParseTokenAnswer(std::string_view body);

// How long before expiry a token is replaced: a tenth of its lifetime, at most 60 s.
std::chrono::seconds RefreshMargin(std::chrono::seconds expires_in);

// One cached token. Not thread-safe: the client serialises access.
class TokenCache {
 public:
  // The token when it is still good at `now` (before expiry minus the margin), else nullptr.
  const SecretValue* Get(SystemTime now) const;
  void Store(SecretValue token, std::chrono::seconds expires_in, SystemTime now);
  void Invalidate();  // after a 401: the next Get fetches a fresh token
  std::optional<SystemTime> refresh_at() const { return refresh_at_; }

 private:
  SecretValue token_;
  std::optional<SystemTime> refresh_at_;
};

}  // namespace keyroll::providers::auth0
