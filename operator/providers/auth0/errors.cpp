#include "operator/providers/auth0/errors.h"

#include <nlohmann/json.hpp>

#include "operator/providers/scrub.h"

namespace keyroll::providers::auth0 {

ProviderError MakeError(ErrorKind kind, std::string message, int status, std::optional<std::chrono::seconds> retry_after) {
  return ProviderError{kind, std::move(message), status, retry_after};
}
namespace {

std::string StringMember(const nlohmann::json& doc, const char* name) {
  auto it = doc.find(name);
  return it != doc.end() && it->is_string() ? it->get<std::string>() : "";
}

std::optional<std::string> Header(const httplib::Headers& headers, const char* name) {
  auto it = headers.find(name);  // httplib compares header names case-insensitively
  if (it == headers.end()) return std::nullopt;
  return it->second;
}

}  // namespace

std::string ErrorDetail(std::string_view body, const std::vector<const SecretValue*>& known_secrets) {
  nlohmann::json doc = nlohmann::json::parse(body, nullptr, false);
  std::string detail;
  if (doc.is_object()) {
    std::string error = StringMember(doc, "error");
    std::string message = StringMember(doc, "message");
    std::string description = StringMember(doc, "error_description");
    std::string code = StringMember(doc, "errorCode");
    std::string text = !message.empty() ? message : description;
    detail = error.empty() ? text : text.empty() ? error : error + ": " + text;
    if (!code.empty()) detail += " (" + code + ")";
  }
  if (detail.empty()) detail = std::string(body);
  return ScrubSecrets(detail, known_secrets, 300);
}

std::string ErrorCode(std::string_view body) {
  nlohmann::json doc = nlohmann::json::parse(body, nullptr, false);
  if (!doc.is_object()) return "";
  std::string code = StringMember(doc, "errorCode");
  return code.empty() ? StringMember(doc, "error") : code;
}

std::optional<std::chrono::seconds> RateLimitWait(const httplib::Headers& headers, SystemTime now) {
  if (auto v = Header(headers, "Retry-After")) {
    if (auto d = ParseRetryAfter(*v, now)) return d;
  }
  auto reset = Header(headers, "x-ratelimit-reset");
  auto remaining = Header(headers, "x-ratelimit-remaining");
  if (reset && (!remaining || *remaining == "0")) return ParseResetEpoch(*reset, now);
  return std::nullopt;
}

}  // namespace keyroll::providers::auth0
