#include "operator/providers/auth0/session.h"

#include <spdlog/spdlog.h>

#include "operator/providers/auth0/errors.h"
#include "operator/providers/http_exchange.h"

namespace keyroll::providers::auth0 {
namespace {

using std::chrono::milliseconds;

constexpr const char* kTokenPath = "/oauth/token";

std::string FormEncode(std::string_view value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : value) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out += {'%', kHex[c >> 4], kHex[c & 0xf]};
    }
  }
  return out;
}

bool CertificateProblem(httplib::Error e) {
  return e == httplib::Error::SSLServerVerification || e == httplib::Error::SSLLoadingCerts;
}

}  // namespace

// One try of a retried call: done (success or a final error), or a retryable error.
struct Session::Try {
  std::optional<Result<Answer>> done;
  ProviderError error;
  std::optional<milliseconds> wait;  // what the server asked for, if it did
};

Session::Session(ClientOptions options, BaseUrl url, std::string audience)
    : options_(std::move(options)), url_(std::move(url)), audience_(std::move(audience)) {}

std::vector<const SecretValue*> Session::Secrets() const {
  std::lock_guard lock(token_mu_);
  return {&options_.client_secret, &last_token_};
}

Answer Session::Exchange(const char* op, const char* method, const std::string& path, const SecretValue* bearer,
                         const std::string& form, std::optional<ProviderError>* config_error) {
  Answer a;
  HttpCall call{method, url_.path_prefix + path, {{"Accept", "application/json"}}, "", "application/json"};
  if (bearer != nullptr) call.headers.emplace("Authorization", "Bearer " + bearer->reveal());
  if (std::string(method) == "GET") {
    call.content_type.clear();
  } else if (bearer == nullptr) {
    call.body = form;
    call.content_type = "application/x-www-form-urlencoded";
  }
  auto answer = providers::Exchange(url_, options_.tls, options_.timeouts, call);
  if (!answer) {
    *config_error = answer.error();
    return a;
  }
  a = std::move(*answer);
  spdlog::debug("auth0: {} {}{} -> {}", method, url_.Normalised(), path,
                a.status != 0 ? std::to_string(a.status) : httplib::to_string(a.error));
  if (options_.observer) options_.observer(op, a.status);
  return a;
}

Result<Answer> Session::Retrying(const std::string& what, const std::function<Try()>& once) {
  const RetryPolicy& policy = options_.retry;
  RetryBudget budget(policy);
  ProviderError last = MakeError(ErrorKind::kUnavailable, "Auth0 was not asked");
  for (int attempt = 1; attempt <= std::max(1, policy.max_attempts); ++attempt) {
    Try t = budget.Attempt(once);
    if (t.done) return std::move(*t.done);
    last = t.error;
    if (attempt >= policy.max_attempts) break;
    milliseconds delay = t.wait ? *t.wait : BackoffDelay(attempt, policy, options_.jitter());
    if (!budget.Allows(delay)) break;
    spdlog::info("auth0: {} failed ({}), attempt {} of {}, retrying in {} ms", what, ErrorKindName(last.kind), attempt,
                 policy.max_attempts, delay.count());
    options_.sleep(delay);
    budget.Waited(delay);
  }
  return last;
}

ProviderError Session::TokenError(const Answer& a) const {
  std::string base = "Auth0 answered " + std::to_string(a.status) + " to the token request for client " +
                     options_.client_id + ": " + ErrorDetail(a.body, Secrets());
  switch (a.status) {
    case 401:
      return MakeError(ErrorKind::kUnauthorized, base + " (check the client id and client secret)", a.status);
    case 403:
      return MakeError(ErrorKind::kForbidden,
                   base + " (check the audience " + audience_ +
                       " and that the application is authorised for the Management API)",
                   a.status);
    case 429: return MakeError(ErrorKind::kRateLimited, base, a.status, RateLimitWait(a.headers, options_.now()));
    default: break;
  }
  if (a.status >= 500 || a.status == 408) return MakeError(ErrorKind::kUnavailable, base, a.status);
  return MakeError(ErrorKind::kRejected, base, a.status);
}

Result<SecretValue> Session::FetchToken() {
  std::string form = "grant_type=client_credentials&client_id=" + FormEncode(options_.client_id) +
                     "&client_secret=" + FormEncode(options_.client_secret.reveal()) +
                     "&audience=" + FormEncode(audience_);
  SecretValue form_secret(std::move(form));  // wiped when done
  auto result = Retrying("getting a management token", [&]() -> Try {
    std::optional<ProviderError> config_error;
    Answer a = Exchange("token", "POST", kTokenPath, nullptr, form_secret.reveal(), &config_error);
    if (config_error) return Try{Result<Answer>(*config_error), {}, {}};
    if (a.status == 200) return Try{Result<Answer>(std::move(a)), {}, {}};
    if (a.status == 0) {
      auto e = MakeError(ErrorKind::kUnavailable, "getting a management token from " + url_.Normalised() + ": " +
                                                 DescribeTransportError(a.error, a.verify_result));
      if (CertificateProblem(a.error)) return Try{Result<Answer>(e), {}, {}};
      return Try{std::nullopt, e, {}};
    }
    ProviderError e = TokenError(a);
    if (e.kind == ErrorKind::kUnavailable) return Try{std::nullopt, e, {}};
    if (e.kind == ErrorKind::kRateLimited && (!e.retry_after || *e.retry_after <= options_.retry.max_rate_limit_wait)) {
      return Try{std::nullopt, e, e.retry_after ? std::optional<milliseconds>(*e.retry_after) : std::nullopt};
    }
    return Try{Result<Answer>(e), {}, {}};
  });
  if (!result) return result.error();
  auto token = ParseTokenAnswer(result->body);
  if (!token) return token.error();
  cache_.Store(token->access_token, token->expires_in, options_.now());
  last_token_ = token->access_token;
  spdlog::debug("auth0: got a management token for client {} (expires in {} s)", options_.client_id,
                token->expires_in.count());
  return std::move(token->access_token);
}

Result<SecretValue> Session::Token(bool fresh) {
  std::lock_guard lock(token_mu_);
  if (fresh) cache_.Invalidate();
  if (const SecretValue* cached = cache_.Get(options_.now())) return *cached;
  return FetchToken();
}

Result<Answer> Session::Once(const char* op, const char* method, const std::string& path) {
  for (int round = 0; round < 2; ++round) {
    auto token = Token(round > 0);
    if (!token) return token.error();
    std::optional<ProviderError> config_error;
    Answer a = Exchange(op, method, path, &token.value(), "", &config_error);
    if (config_error) return *config_error;
    if (a.status != 401 || round > 0) return a;
    spdlog::info("auth0: the management token was refused (401); getting a fresh one and sending {} once more", op);
  }
  return MakeError(ErrorKind::kUnavailable, "unreachable");
}

Result<Answer> Session::Read(const char* op, const std::string& path, const std::string& what) {
  return Retrying(what, [&]() -> Try {
    auto r = Once(op, "GET", path);
    if (!r) return Try{Result<Answer>(r.error()), {}, {}};
    Answer& a = r.value();
    if (a.status >= 200 && a.status < 300) return Try{Result<Answer>(std::move(a)), {}, {}};
    ProviderError e = ErrorFor(a, what, CallKind::kRead);
    if (a.status == 0 && !CertificateProblem(a.error)) return Try{std::nullopt, e, {}};
    if (e.kind == ErrorKind::kUnavailable && a.status != 0) return Try{std::nullopt, e, {}};
    if (e.kind == ErrorKind::kRateLimited && (!e.retry_after || *e.retry_after <= options_.retry.max_rate_limit_wait)) {
      return Try{std::nullopt, e, e.retry_after ? std::optional<milliseconds>(*e.retry_after) : std::nullopt};
    }
    return Try{Result<Answer>(e), {}, {}};
  });
}

ProviderError Session::ErrorFor(const Answer& a, const std::string& what, CallKind kind) const {
  bool write = kind != CallKind::kRead;
  if (a.status == 0) {
    std::string desc = what + " at " + url_.Normalised() + ": " + DescribeTransportError(a.error, a.verify_result);
    if (!write) return MakeError(ErrorKind::kUnavailable, desc);
    if (FailedBeforeSending(a.error)) return MakeError(ErrorKind::kUnavailable, desc + "; the request was not sent");
    return MakeError(ErrorKind::kOutcomeUnknown, desc + "; it may have happened: read the keys");
  }
  std::string base = "Auth0 answered " + std::to_string(a.status) + " to " + what;
  std::string detail = ErrorDetail(a.body, Secrets());
  if (!detail.empty()) base += ": " + detail;
  switch (a.status) {
    case 401:
      return MakeError(ErrorKind::kUnauthorized, base + " (a fresh management token was refused too)", a.status);
    case 403:
      return MakeError(ErrorKind::kForbidden,
                   base + " (grant the application read:signing_keys, create:signing_keys and "
                          "update:signing_keys on the Management API)",
                   a.status);
    case 429: {
      auto wait = RateLimitWait(a.headers, options_.now());
      std::string when = wait ? "; Auth0 allows the next one in " + std::to_string(wait->count()) + " s" : "";
      if (kind == CallKind::kRotate) {
        return MakeError(ErrorKind::kRateLimited,
                     "Auth0 refused the key rotation because of its rate limit (at most 5 rotations a day): " +
                         detail + when + "; keyroll never retries a rotation",
                     a.status, wait);
      }
      return MakeError(ErrorKind::kRateLimited, base + " (rate limited)" + when, a.status, wait);
    }
    default: break;
  }
  if (a.status >= 500 || a.status == 408) {
    if (write) return MakeError(ErrorKind::kOutcomeUnknown, base + "; it may have happened: read the keys", a.status);
    return MakeError(ErrorKind::kUnavailable, base, a.status);
  }
  if (kind == CallKind::kRotate) return MakeError(ErrorKind::kRejected, base + "; the keys were not rotated", a.status);
  return MakeError(ErrorKind::kRejected, base, a.status);
}

}  // namespace keyroll::providers::auth0
