// scrub: removes anything secret-looking from text that is about to become part of an error
// message (provider error bodies, transport errors). Over-redacting is the safe failure.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "operator/providers/secret_value.h"

namespace keyroll::providers {

inline constexpr std::string_view kRedacted = "[REDACTED]";

// Replaces with [REDACTED]: every known secret (exact match), QStash keys (sig_...), bearer
// tokens, JWTs (eyJ...), token query parameters, and any base64/hex-like run of 24 or more
// characters. Control characters become spaces; the result is cut to max_length.
std::string ScrubSecrets(std::string_view text,
                         const std::vector<const SecretValue*>& known_secrets = {},
                         std::size_t max_length = 300);

}  // namespace keyroll::providers
