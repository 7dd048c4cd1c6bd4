#include "operator/providers/qstash/client.h"

#include <spdlog/spdlog.h>

#include <thread>

#include "operator/base/crypto.h"
#include "operator/base/encoding.h"
#include "operator/providers/http_exchange.h"
#include "operator/providers/qstash/keys_answer.h"
#include "operator/providers/scrub.h"

namespace keyroll::providers::qstash {
namespace {

using std::chrono::milliseconds;

constexpr const char* kKeysPath = "/v2/keys";
constexpr const char* kRotatePath = "/v2/keys/rotate";

ProviderError Error(ErrorKind kind, std::string message, int status = 0,
                    std::optional<std::chrono::seconds> retry_after = std::nullopt) {
  return ProviderError{kind, std::move(message), status, retry_after};
}

// When a 429 says to come back: Retry-After first, then the exhausted window's reset.
std::optional<std::chrono::seconds> RateLimitWait(const httplib::Headers& headers, SystemTime now) {
  auto header = [&](const char* name) -> std::optional<std::string> {
    auto it = headers.find(name);  // httplib compares header names case-insensitively
    if (it == headers.end()) return std::nullopt;
    return it->second;
  };
  if (auto v = header("Retry-After")) {
    if (auto d = ParseRetryAfter(*v, now)) return d;
  }
  std::optional<std::chrono::seconds> wait;
  auto consider = [&](const char* reset, const char* remaining, bool when_remaining_absent) {
    auto r = header(reset);
    if (!r) return;
    auto rem = header(remaining);
    if (rem ? *rem != "0" : !when_remaining_absent) return;
    if (auto d = ParseResetEpoch(*r, now)) wait = wait ? std::max(*wait, *d) : *d;
  };
  consider("Burst-RateLimit-Reset", "Burst-RateLimit-Remaining", true);
  consider("RateLimit-Reset", "RateLimit-Remaining", false);
  if (!wait) {
    if (auto r = header("Burst-RateLimit-Reset")) wait = ParseResetEpoch(*r, now);
  }
  return wait;
}

}  // namespace

struct Client::Attempt : HttpAnswer {
  std::optional<ProviderError> config_error;
};

Result<std::unique_ptr<Client>> Client::Create(ClientOptions options) {
  auto url = ParseBaseUrl(options.url);
  if (!url) return url.error();
  if (options.token.empty()) return Error(ErrorKind::kBadConfig, "the QStash token is empty");
  if (url->scheme == "http") {
    spdlog::warn("qstash: {} is plain HTTP: the token travels unencrypted (use https outside tests)",
                 url->Normalised());
  }
  if (!options.sleep) options.sleep = [](milliseconds d) { std::this_thread::sleep_for(d); };
  if (!options.now) options.now = [] { return std::chrono::system_clock::now(); };
  if (!options.jitter) options.jitter = RandomJitter;
  return std::unique_ptr<Client>(new Client(std::move(options), std::move(url.value())));
}

Client::Client(ClientOptions options, BaseUrl url) : options_(std::move(options)), url_(std::move(url)) {
  SecretValue material(url_.Normalised() + "\n" + options_.token.reveal());
  account_id_ = base::HexLower(base::Sha256(material.reveal()));
}

Client::Attempt Client::Send(const char* op, bool post) {
  Attempt a;
  HttpCall call{post ? "POST" : "GET", url_.path_prefix + (post ? kRotatePath : kKeysPath),
                {{"Authorization", "Bearer " + options_.token.reveal()}, {"Accept", "application/json"}}, "",
                post ? "application/json" : ""};
  auto answer = Exchange(url_, options_.tls, options_.timeouts, call);
  if (!answer) {
    a.config_error = answer.error();
    return a;
  }
  static_cast<HttpAnswer&>(a) = std::move(*answer);
  spdlog::debug("qstash: {} {}{} -> {}", post ? "POST" : "GET", url_.Normalised(), post ? kRotatePath : kKeysPath,
                a.status != 0 ? std::to_string(a.status) : httplib::to_string(a.error));
  if (options_.observer) options_.observer(op, a.status);
  return a;
}

ProviderError Client::ErrorFromStatus(const Attempt& a, bool rotate) const {
  std::string what = rotate ? "the key rotation" : "reading the keys";
  std::string detail = ErrorMessageFromBody(a.body);
  if (detail.empty() && !a.body.empty()) detail = ScrubSecrets(a.body, {&options_.token});
  std::string base = "QStash answered " + std::to_string(a.status) + " to " + what +
                     (detail.empty() ? "" : ": " + ScrubSecrets(detail, {&options_.token}));
  switch (a.status) {
    case 401: return Error(ErrorKind::kUnauthorized, base + " (check the token)", a.status);
    case 403: return Error(ErrorKind::kForbidden, base + " (the token may not do this)", a.status);
    case 429: return Error(ErrorKind::kRateLimited, base, a.status, RateLimitWait(a.headers, options_.now()));
    default: break;
  }
  if (rotate) return Error(ErrorKind::kRejected, base + "; the keys were not rotated", a.status);
  if (a.status >= 500 || a.status == 408) return Error(ErrorKind::kUnavailable, base, a.status);
  return Error(ErrorKind::kRejected, base + " (check the URL)", a.status);
}

Result<KeySet> Client::ReadKeys() {
  const RetryPolicy& policy = options_.retry;
  RetryBudget budget(policy);
  ProviderError last = Error(ErrorKind::kUnavailable, "QStash was not asked");
  for (int attempt = 1; attempt <= std::max(1, policy.max_attempts); ++attempt) {
    Attempt a = budget.Attempt([&] { return Send("get_keys", false); });
    if (a.config_error) return *a.config_error;
    std::optional<milliseconds> delay;
    if (a.status == 0) {
      last = Error(ErrorKind::kUnavailable, "reading the QStash keys from " + url_.Normalised() + ": " +
                                                DescribeTransportError(a.error, a.verify_result));
      // A certificate problem does not heal by asking again within seconds.
      if (a.error == httplib::Error::SSLServerVerification || a.error == httplib::Error::SSLLoadingCerts) return last;
    } else if (a.status == 200) {
      return ParseKeysAnswer(a.body);
    } else {
      last = ErrorFromStatus(a, false);
      if (a.status == 429) {
        if (last.retry_after && *last.retry_after > policy.max_rate_limit_wait) return last;
        if (last.retry_after) delay = *last.retry_after;
      } else if (last.kind != ErrorKind::kUnavailable) {
        return last;
      }
    }
    if (attempt >= policy.max_attempts) break;
    if (!delay) delay = BackoffDelay(attempt, policy, options_.jitter());
    if (!budget.Allows(*delay)) break;
    spdlog::info("qstash: reading the keys failed ({}), attempt {} of {}, retrying in {} ms",
                 ErrorKindName(last.kind), attempt, policy.max_attempts, delay->count());
    options_.sleep(*delay);
    budget.Waited(*delay);
  }
  return last;
}

Result<KeySet> Client::Rotate() {
  spdlog::info("qstash: rotating the signing keys at {}", url_.Normalised());
  Attempt a = Send("rotate", true);
  if (a.config_error) return *a.config_error;
  if (a.status == 0) {
    std::string desc = DescribeTransportError(a.error, a.verify_result);
    if (FailedBeforeSending(a.error)) {
      return Error(ErrorKind::kUnavailable, "rotating the QStash keys: " + desc + "; the request was not sent");
    }
    return Error(ErrorKind::kOutcomeUnknown,
                 "rotating the QStash keys: " + desc + "; the rotation may have happened: read the keys");
  }
  if (a.status != 200) return ErrorFromStatus(a, true);
  auto keys = ParseKeysAnswer(a.body);
  if (!keys) {
    // QStash said it rotated, but what it says the keys are cannot be trusted.
    return Error(ErrorKind::kOutcomeUnknown, keys.error().message + " (answer to a successful rotation: read the keys)",
                 200);
  }
  return keys;
}

}  // namespace keyroll::providers::qstash
