// provider: the contract every signing-key provider implements (QStash now, Auth0 next).
// The controller talks only to Provider; errors come back as values (Result<T>) whose kind
// tells it what is safe to do next (retry later, reconcile an unknown rotate outcome, ...).
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "operator/base/result.h"
#include "operator/providers/secret_value.h"

namespace keyroll::providers {

// The keys a provider account holds right now.
struct KeySet {
  SecretValue current;
  SecretValue next;
  // Further Secret entries a provider may need (Auth0: certificates, a JWKS document).
  std::map<std::string, SecretValue> extra_data;
  // Non-secret facts that may be shown (Auth0: kids, under the names below). Never key material.
  std::map<std::string, std::string> metadata;

  friend bool operator==(const KeySet&, const KeySet&) = default;
};

// KeySet::metadata names of the key ids, for providers whose keys have them (Auth0): the
// controller shows them and decides revocations on them without knowing the provider.
inline constexpr const char* kCurrentKid = "currentKid";
inline constexpr const char* kNextKid = "nextKid";
inline constexpr const char* kPreviousKid = "previousKid";

enum class ErrorKind {
  kUnauthorized,    // 401: the token is wrong or revoked
  kForbidden,       // 403: the token may not do this
  kRateLimited,     // 429 (after waiting as told, or the wait was too long): see retry_after
  kInvalidAnswer,   // an answer arrived but does not parse / validate: nothing may change
  kUnavailable,     // network error or 5xx on a read (retries exhausted), TLS failure, or a
                    // rotate that certainly was not sent (connect failed)
  kOutcomeUnknown,  // rotate: the request may have been processed (timeout, lost connection)
  kRejected,        // an HTTP error answer: the operation was definitely not done
  kBadConfig,       // invalid URL, empty token, unreadable CA bundle
  kCredentials,     // the credentials Secret is missing or lacks a key (registry.h)
};
std::string_view ErrorKindName(ErrorKind kind);  // "Unauthorized", "OutcomeUnknown", ...

struct ProviderError {
  ErrorKind kind = ErrorKind::kUnavailable;
  std::string message;  // actionable and scrubbed: never key material or tokens
  int http_status = 0;  // 0 when no HTTP answer arrived
  std::optional<std::chrono::seconds> retry_after;  // when the provider said when to come back
};

// A value or a ProviderError.
template <typename T>
using Result = base::Result<T, ProviderError>;

// Called once per HTTP request a client makes: op ("get_keys", "rotate") and the status code,
// or 0 when no answer arrived. For keyroll_provider_requests_total{provider,op,code}.
using RequestObserver = std::function<void(std::string_view op, int status_code_or_0)>;

// What RevokePrevious() did. kids are public identifiers, never key material.
struct RevokeOutcome {
  bool revoked = false;      // false: there was no previous key left to revoke (nothing done)
  std::string revoked_kid;   // the key revoked, when revoked
  KeySet keys;               // the keys read after the revocation (the revoked key is gone)
};

class Provider {
 public:
  virtual ~Provider() = default;
  // Reads the account's keys. Retries transient failures within the client's budget.
  virtual Result<KeySet> ReadKeys() = 0;
  // Rotates once. Never retried: on kOutcomeUnknown read the keys to learn what happened.
  virtual Result<KeySet> Rotate() = 0;
  // Stable id of the provider account (QStash: hex SHA-256 of normalised URL + "\n" + token;
  // Auth0: of the tenant URL, whose keys all its applications share): two resources with the
  // same id share one key set. Never contains a token or secret.
  virtual std::string AccountId() const = 0;
  virtual std::string Name() const = 0;  // "qstash", "auth0"

  // Optional capability. Providers that keep the key used before the last rotation valid
  // (Auth0: the "previous" key stays in the JWKS) can revoke it; the controller calls this
  // only when every consumer holds the keys written after the rotation. Not retried: on
  // kOutcomeUnknown read the keys. Providers without the capability (QStash) keep these
  // defaults: false, and kBadConfig naming the provider.
  // only_kid: revoke only if the previous key is this one (revoked=false otherwise), so a
  // decision made on one key list never revokes a key it did not look at.
  virtual bool SupportsRevokePrevious() const { return false; }
  virtual Result<RevokeOutcome> RevokePrevious(const std::string& only_kid = "");
};

}  // namespace keyroll::providers
