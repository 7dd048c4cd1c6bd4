#include "operator/providers/auth0/token.h"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

namespace keyroll::providers::auth0 {
namespace {

ProviderError InvalidToken(const std::string& what) {
  return ProviderError{ErrorKind::kInvalidAnswer, "Auth0 answered the token request with an unusable token: " + what,
                       200, std::nullopt};
}

}  // namespace

Result<TokenAnswer> ParseTokenAnswer(std::string_view body) {
  nlohmann::json doc = nlohmann::json::parse(body, nullptr, false);
  if (doc.is_discarded()) return InvalidToken("the body is not JSON (" + std::to_string(body.size()) + " bytes)");
  if (!doc.is_object()) return InvalidToken(std::string("the body is a JSON ") + doc.type_name() + ", not an object");
  TokenAnswer out;
  auto token = doc.find("access_token");
  if (token == doc.end() || !token->is_string() || token->get_ref<const std::string&>().empty()) {
    return InvalidToken("\"access_token\" is missing or not a non-empty string");
  }
  for (unsigned char c : token->get_ref<const std::string&>()) {
    if (c <= 0x20 || c >= 0x7f) return InvalidToken("\"access_token\" contains characters a header cannot carry");
  }
  auto expires = doc.find("expires_in");
  if (expires == doc.end() || !expires->is_number_integer() || expires->get<long long>() <= 0 ||
      expires->get<long long>() > 10LL * 365 * 86400) {
    return InvalidToken("\"expires_in\" is missing or not a positive number of seconds");
  }
  auto type = doc.find("token_type");
  if (type != doc.end()) {
    std::string t = type->is_string() ? type->get<std::string>() : "";
    std::transform(t.begin(), t.end(), t.begin(), [](unsigned char c) { return std::tolower(c); });
    if (t != "bearer") return InvalidToken("\"token_type\" is not Bearer");
  }
  auto scope = doc.find("scope");
  if (scope != doc.end() && scope->is_string()) out.scope = scope->get<std::string>();
  out.access_token = SecretValue(token->get<std::string>());
  out.expires_in = std::chrono::seconds(expires->get<long long>());
  return out;
}

std::chrono::seconds RefreshMargin(std::chrono::seconds expires_in) {
  return std::min(std::chrono::seconds(60), expires_in / 10);
}

const SecretValue* TokenCache::Get(SystemTime now) const {
  if (!refresh_at_ || token_.empty() || now >= *refresh_at_) return nullptr;
  return &token_;
}

void TokenCache::Store(SecretValue token, std::chrono::seconds expires_in, SystemTime now) {
  token_ = std::move(token);
  refresh_at_ = now + expires_in - RefreshMargin(expires_in);
}

void TokenCache::Invalidate() {
  token_ = SecretValue();
  refresh_at_.reset();
}

}  // namespace keyroll::providers::auth0
