// errors: KubeError, the typed form of every failed API call — a Kubernetes Status body
// (reason, code, message, details, causes) or a network/TLS/config failure — plus the
// predicates callers branch on (IsNotFound, IsConflict, IsGone, IsRetryable, ...).
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace keyroll::kube {

enum class Reason {
  kNotFound,
  kAlreadyExists,
  kConflict,
  kInvalid,
  kForbidden,
  kUnauthorized,
  kGone,  // 410: "Gone" or "Expired" (resourceVersion too old)
  kTooManyRequests,
  kServerTimeout,
  kTimeout,
  kInternalError,
  kBadRequest,
  kMethodNotAllowed,
  kUnsupportedMediaType,
  kServiceUnavailable,
  kUnknown,
  // Not from the API server: the request never got a Kubernetes answer.
  kNetwork,     // connect refused, reset, read timeout, DNS
  kTls,         // TLS handshake or certificate verification failed
  kConfig,      // kubeconfig / in-cluster config / credential plugin problem
  kDecode,      // a 2xx answer that is not the JSON we expected
};

const char* ReasonName(Reason r);

struct StatusCause {
  std::string type;  // "reason" in the wire format, e.g. FieldValueInvalid
  std::string message;
  std::string field;
};

struct KubeError {
  Reason reason = Reason::kUnknown;
  int code = 0;                  // HTTP status; 0 for network/config errors
  std::string status_reason;     // the Status "reason" string as sent (e.g. "Expired")
  std::string message;           // human readable, never contains credentials
  std::string name, kind, group;  // Status details
  std::vector<StatusCause> causes;
  std::optional<std::chrono::seconds> retry_after;

  // "Conflict (409): Operation cannot be fulfilled ..." — safe to log.
  std::string ToString() const;
};

// Builds the error for a non-2xx answer from its body (a Status, or anything else: HTML
// from a proxy, empty) and its Retry-After header value (may be empty).
KubeError ErrorFromResponse(int http_code, const std::string& body,
                            const std::string& retry_after_header = "");
// Builds the error from a Status object (also used for watch ERROR events).
KubeError ErrorFromStatus(int http_code, const std::string& status_json_text);

// A Retry-After header's delay in seconds (the delta-seconds form the API server sends).
std::optional<std::chrono::seconds> ParseSeconds(const std::string& text);

KubeError NetworkError(std::string message);
KubeError TlsError(std::string message);
KubeError ConfigError(std::string message);
KubeError DecodeError(std::string message);

inline bool IsNotFound(const KubeError& e) { return e.reason == Reason::kNotFound; }
inline bool IsAlreadyExists(const KubeError& e) { return e.reason == Reason::kAlreadyExists; }
inline bool IsConflict(const KubeError& e) { return e.reason == Reason::kConflict; }
inline bool IsInvalid(const KubeError& e) { return e.reason == Reason::kInvalid; }
inline bool IsForbidden(const KubeError& e) { return e.reason == Reason::kForbidden; }
inline bool IsUnauthorized(const KubeError& e) { return e.reason == Reason::kUnauthorized; }
inline bool IsGone(const KubeError& e) { return e.reason == Reason::kGone; }
inline bool IsTooManyRequests(const KubeError& e) { return e.reason == Reason::kTooManyRequests; }
// Worth trying again later with backoff: throttling, server-side timeouts, 5xx, network.
bool IsRetryable(const KubeError& e);

}  // namespace keyroll::kube
