// errors: what Auth0's error answers say, in a form fit for an error message. Management API
// errors are {"statusCode","error","message","errorCode"?}; the token endpoint answers
// {"error","error_description"}. Also when a 429 says to come back.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <httplib.h>

#include "operator/providers/retry.h"
#include "operator/providers/secret_value.h"

namespace keyroll::providers::auth0 {

// A ProviderError of the Auth0 clients (token session and Management API).
ProviderError MakeError(ErrorKind kind, std::string message, int status = 0,
                        std::optional<std::chrono::seconds> retry_after = std::nullopt);

// "Forbidden: Insufficient scope, expected any of: read:signing_keys (insufficient_scope)",
// "invalid_client: Unauthorized", or the scrubbed start of a body that is neither shape; ""
// for an empty body. Always scrubbed (known_secrets plus the usual patterns).
std::string ErrorDetail(std::string_view body, const std::vector<const SecretValue*>& known_secrets = {});

// The machine-readable code: errorCode of a Management API error, error of a token error.
std::string ErrorCode(std::string_view body);

// When a 429 says to come back: Retry-After first; else x-ratelimit-reset (unix seconds)
// when x-ratelimit-remaining is 0 or absent. nullopt when neither says.
std::optional<std::chrono::seconds> RateLimitWait(const httplib::Headers& headers, SystemTime now);

}  // namespace keyroll::providers::auth0
