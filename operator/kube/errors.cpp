#include "operator/kube/errors.h"

#include <cctype>
#include <charconv>

#include <nlohmann/json.hpp>

namespace keyroll::kube {
namespace {

struct ReasonEntry {
  Reason reason;
  const char* name;
};
constexpr ReasonEntry kReasons[] = {
    {Reason::kNotFound, "NotFound"},
    {Reason::kAlreadyExists, "AlreadyExists"},
    {Reason::kConflict, "Conflict"},
    {Reason::kInvalid, "Invalid"},
    {Reason::kForbidden, "Forbidden"},
    {Reason::kUnauthorized, "Unauthorized"},
    {Reason::kGone, "Gone"},
    {Reason::kTooManyRequests, "TooManyRequests"},
    {Reason::kServerTimeout, "ServerTimeout"},
    {Reason::kTimeout, "Timeout"},
    {Reason::kInternalError, "InternalError"},
    {Reason::kBadRequest, "BadRequest"},
    {Reason::kMethodNotAllowed, "MethodNotAllowed"},
    {Reason::kUnsupportedMediaType, "UnsupportedMediaType"},
    {Reason::kServiceUnavailable, "ServiceUnavailable"},
    {Reason::kUnknown, "Unknown"},
    {Reason::kNetwork, "NetworkError"},
    {Reason::kTls, "TLSError"},
    {Reason::kConfig, "ConfigError"},
    {Reason::kDecode, "DecodeError"},
};

// The Status reason string decides; the HTTP code is the fallback (as client-go does).
Reason ReasonFromStrings(const std::string& s, int code) {
  if (s == "Expired" || s == "Gone") return Reason::kGone;
  for (const auto& e : kReasons) {
    if (s == e.name && e.reason < Reason::kUnknown) return e.reason;
  }
  switch (code) {
    case 400: return Reason::kBadRequest;
    case 401: return Reason::kUnauthorized;
    case 403: return Reason::kForbidden;
    case 404: return Reason::kNotFound;
    case 405: return Reason::kMethodNotAllowed;
    case 409: return Reason::kConflict;
    case 410: return Reason::kGone;
    case 415: return Reason::kUnsupportedMediaType;
    case 422: return Reason::kInvalid;
    case 429: return Reason::kTooManyRequests;
    case 500: return Reason::kInternalError;
    case 503: return Reason::kServiceUnavailable;
    case 504: return Reason::kTimeout;
    default: return Reason::kUnknown;
  }
}

}  // namespace

std::optional<std::chrono::seconds> ParseSeconds(const std::string& text) {
  long v = 0;
  auto* b = text.data();
  while (b < text.data() + text.size() && std::isspace(static_cast<unsigned char>(*b))) ++b;
  auto [p, ec] = std::from_chars(b, text.data() + text.size(), v);
  if (ec != std::errc() || p == b || v < 0) return std::nullopt;
  return std::chrono::seconds(v);
}

namespace {

// A short, printable excerpt of a body that is not a Status (an HTML error page...).
std::string Excerpt(const std::string& body) {
  std::string out;
  for (char c : body.substr(0, 160)) {
    out += std::isprint(static_cast<unsigned char>(c)) ? c : ' ';
  }
  if (body.size() > 160) out += "...";
  return out;
}

std::string Str(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

const char* ReasonName(Reason r) {
  for (const auto& e : kReasons) {
    if (e.reason == r) return e.name;
  }
  return "Unknown";
}

std::string KubeError::ToString() const {
  std::string s = ReasonName(reason);
  if (code) s += " (" + std::to_string(code) + ")";
  s += ": " + message;
  return s;
}

bool IsRetryable(const KubeError& e) {
  switch (e.reason) {
    case Reason::kTooManyRequests:
    case Reason::kServerTimeout:
    case Reason::kTimeout:
    case Reason::kInternalError:
    case Reason::kServiceUnavailable:
    case Reason::kNetwork:
      return true;
    default:
      return e.code >= 500;
  }
}

KubeError ErrorFromStatus(int http_code, const std::string& status_json_text) {
  KubeError e;
  e.code = http_code;
  auto j = nlohmann::json::parse(status_json_text, nullptr, false);
  if (j.is_discarded() || !j.is_object() || Str(j, "kind") != "Status") {
    e.reason = ReasonFromStrings("", http_code);
    std::string what = status_json_text.empty() ? "an empty body"
                                                : "a body that is not a Status: \"" +
                                                      Excerpt(status_json_text) + "\"";
    e.message = "the server answered HTTP " + std::to_string(http_code) + " with " + what;
    return e;
  }
  if (auto c = j.find("code"); c != j.end() && c->is_number_integer() && c->get<int>() != 0) {
    e.code = c->get<int>();
  }
  e.status_reason = Str(j, "reason");
  e.reason = ReasonFromStrings(e.status_reason, e.code);
  e.message = Str(j, "message");
  if (auto d = j.find("details"); d != j.end() && d->is_object()) {
    e.name = Str(*d, "name");
    e.kind = Str(*d, "kind");
    e.group = Str(*d, "group");
    if (auto r = d->find("retryAfterSeconds"); r != d->end() && r->is_number_integer()) {
      if (r->get<long>() > 0) e.retry_after = std::chrono::seconds(r->get<long>());
    }
    if (auto cs = d->find("causes"); cs != d->end() && cs->is_array()) {
      for (const auto& c : *cs) {
        if (!c.is_object()) continue;
        e.causes.push_back({Str(c, "reason"), Str(c, "message"), Str(c, "field")});
      }
    }
  }
  if (e.message.empty()) {
    e.message = "the server answered HTTP " + std::to_string(e.code) +
                (e.status_reason.empty() ? "" : " (" + e.status_reason + ")");
  }
  return e;
}

KubeError ErrorFromResponse(int http_code, const std::string& body,
                            const std::string& retry_after_header) {
  KubeError e = ErrorFromStatus(http_code, body);
  if (auto s = ParseSeconds(retry_after_header)) e.retry_after = *s;
  return e;
}

namespace {
KubeError Make(Reason r, std::string message) {
  KubeError e;
  e.reason = r;
  e.message = std::move(message);
  return e;
}
}  // namespace

KubeError NetworkError(std::string message) { return Make(Reason::kNetwork, std::move(message)); }
KubeError TlsError(std::string message) { return Make(Reason::kTls, std::move(message)); }
KubeError ConfigError(std::string message) { return Make(Reason::kConfig, std::move(message)); }
KubeError DecodeError(std::string message) { return Make(Reason::kDecode, std::move(message)); }

}  // namespace keyroll::kube
