// keys_answer: validation of QStash's key answers (GET /v2/keys, POST /v2/keys/rotate):
// {"current": "...", "next": "..."}. Anything else is kInvalidAnswer with a message naming
// what was wrong, never echoing a key value.
#pragma once

#include <string_view>

#include "operator/providers/provider.h"

namespace keyroll::providers::qstash {

// Requires a JSON object whose "current" and "next" are non-empty strings without control
// characters, different from each other. Other members are ignored.
Result<KeySet> ParseKeysAnswer(std::string_view body);

// The "error" member of a {"error": "..."} body, scrubbed; "" when there is none.
std::string ErrorMessageFromBody(std::string_view body);

}  // namespace keyroll::providers::qstash
