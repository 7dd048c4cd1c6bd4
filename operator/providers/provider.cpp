#include "operator/providers/provider.h"

namespace keyroll::providers {

std::string_view ErrorKindName(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kUnauthorized: return "Unauthorized";
    case ErrorKind::kForbidden: return "Forbidden";
    case ErrorKind::kRateLimited: return "RateLimited";
    case ErrorKind::kInvalidAnswer: return "InvalidAnswer";
    case ErrorKind::kUnavailable: return "Unavailable";
    case ErrorKind::kOutcomeUnknown: return "OutcomeUnknown";
    case ErrorKind::kRejected: return "Rejected";
    case ErrorKind::kBadConfig: return "BadConfig";
    case ErrorKind::kCredentials: return "Credentials";
  }
  return "Unknown";
}

Result<RevokeOutcome> Provider::RevokePrevious(const std::string& /*only_kid*/) {
  return ProviderError{ErrorKind::kBadConfig, "the " + Name() + " provider cannot revoke signing keys", 0,
                       std::nullopt};
}

}  // namespace keyroll::providers
