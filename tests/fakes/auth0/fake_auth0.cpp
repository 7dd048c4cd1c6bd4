#include "tests/fakes/auth0/fake_auth0.h"

#include <httplib.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "operator/base/crypto.h"
#include "operator/base/encoding.h"
#include "tests/fakes/auth0/wire.h"
#include "tests/fakes/common/secrets_ledger.h"

namespace keyroll::fakes {
namespace {

using nlohmann::json;

bool Has(const std::vector<std::string>& scopes, const std::string& scope) {
  return std::find(scopes.begin(), scopes.end(), scope) != scopes.end();
}

std::vector<std::string> RequiredScopes(FaultOp op) {
  switch (op) {
    case FaultOp::kRotate: return {"create:signing_keys", "update:signing_keys"};
    case FaultOp::kRevoke: return {"update:signing_keys"};
    default: return {"read:signing_keys"};
  }
}

}  // namespace

std::string FaultOpName(FaultOp op) {
  switch (op) {
    case FaultOp::kGetKeys: return "get_keys";
    case FaultOp::kRotate: return "rotate";
    case FaultOp::kToken: return "token";
    case FaultOp::kGetKey: return "get_key";
    case FaultOp::kRevoke: return "revoke";
    default: return "any";
  }
}

namespace {

ProviderFakeOptions BaseOptions(const FakeAuth0Options& o) {
  return {"fake-auth0", o.host, o.port, o.plain_http,
          o.admin_token.empty() ? "fake-admin-" + base::HexLower(base::RandomBytes(16)) : o.admin_token, "no-current",
          [](httplib::Response& res, int status, const std::string& message) { SetApiError(res, status, message); }};
}

}  // namespace

FakeAuth0::FakeAuth0(FakeAuth0Options options) : options_(std::move(options)), base_(BaseOptions(options_)) {
  RecordIssuedSecrets({base_.admin_token()});
}

FakeAuth0::~FakeAuth0() {
  Stop();
}

std::string FakeAuth0::audience() const {
  return options_.audience.empty() ? "https://" + domain() + "/api/v2/" : options_.audience;
}

FakeAuth0Client FakeAuth0::AddClient(const std::string& client_id, const std::string& client_secret,
                                     const std::vector<std::string>& scopes) {
  FakeAuth0Client c{client_id.empty() ? base::Base64UrlEncode(base::RandomBytes(24), false) : client_id,
                    client_secret.empty() ? base::Base64UrlEncode(base::RandomBytes(48), false) : client_secret, scopes};
  std::lock_guard lock(mu_);
  issued_.push_back(c.client_secret);
  RecordIssuedSecrets({c.client_secret});
  clients_[c.client_id] = c;
  return c;
}

std::vector<FakeAuth0Client> FakeAuth0::Clients() const {
  std::lock_guard lock(mu_);
  std::vector<FakeAuth0Client> out;
  for (const auto& [id, c] : clients_) out.push_back(c);
  return out;
}

FakeAuth0State FakeAuth0::State() const {
  std::lock_guard lock(mu_);
  FakeAuth0State s = state_;
  s.current_kid = ring_.current().kid;
  s.next_kid = ring_.next().kid;
  s.previous_kid = ring_.previous() ? ring_.previous()->kid : "";
  return s;
}

std::vector<FakeSigningKey> FakeAuth0::Keys() const {
  std::lock_guard lock(mu_);
  return ring_.keys();
}

std::string FakeAuth0::CurrentPrivateKeyPem() const {
  std::lock_guard lock(mu_);
  return ring_.current().private_key_pem;
}

std::string FakeAuth0::JwksJson() const {
  std::lock_guard lock(mu_);
  std::vector<const FakeSigningKey*> keys = {&ring_.current(), &ring_.next()};
  if (ring_.previous() != nullptr) keys.push_back(ring_.previous());
  return JwksDocument(keys);
}

void FakeAuth0::RotateLocked(std::int64_t now) {
  ring_.Rotate(pool_->Take(), now);
  ++state_.rotations;
}

bool FakeAuth0::ConsoleRotate() {
  std::lock_guard lock(mu_);
  RotateLocked(UnixNow());
  spdlog::debug("fake-auth0: keys rotated in the console");
  return true;
}

void FakeAuth0::ExpireTokens() {
  std::lock_guard lock(mu_);
  for (auto& [token, t] : tokens_) t.expires_at = std::min(t.expires_at, UnixNow());
}

std::vector<std::string> FakeAuth0::AllSecrets() const {
  std::lock_guard lock(mu_);
  auto out = issued_;
  for (const auto& k : ring_.keys()) out.push_back(k.private_key_pem);
  out.push_back(base_.admin_token());
  return out;
}

void FakeAuth0::SetRotationsPerDay(int n) {
  std::lock_guard lock(mu_);
  options_.rotations_per_day = n;
}

void FakeAuth0::ResetRotationBudget() {
  std::lock_guard lock(mu_);
  state_.rotations_today = 0;
}

void FakeAuth0::SetRequestsPerSecond(int n) {
  std::lock_guard lock(mu_);
  options_.requests_per_second = n;
}

void FakeAuth0::SetTokenLifetime(int seconds) {
  std::lock_guard lock(mu_);
  options_.token_lifetime_seconds = seconds;
}

bool FakeAuth0::Admit(const httplib::Request& req, httplib::Response& res, FaultOp op, Caller* caller) {
  std::string auth = req.get_header_value("Authorization");
  std::lock_guard lock(mu_);
  ++state_.requests[FaultOpName(op)];
  if (auth.rfind("Bearer ", 0) != 0) {
    ++state_.unauthorized;
    SetApiError(res, 401, "Missing authentication");
    return false;
  }
  auto it = tokens_.find(auth.substr(7));
  if (it == tokens_.end()) {
    ++state_.unauthorized;
    SetApiError(res, 401, "Invalid token");
    return false;
  }
  if (UnixNow() >= it->second.expires_at) {
    ++state_.unauthorized;
    SetApiError(res, 401, "Expired token received for JSON Web Token validation");
    return false;
  }
  caller->client_id = it->second.client_id;
  caller->scopes = it->second.scopes;
  std::int64_t now = UnixNow();
  auto& [second, count] = burst_[caller->client_id];
  if (second != now) second = now, count = 0;
  ++count;
  if (options_.requests_per_second > 0) {
    res.set_header("x-ratelimit-limit", std::to_string(options_.requests_per_second));
    res.set_header("x-ratelimit-remaining", std::to_string(std::max(0, options_.requests_per_second - count)));
    res.set_header("x-ratelimit-reset", std::to_string(now + 1));
    if (count > options_.requests_per_second) {
      SetApiError(res, 429, "Global limit has been reached", "too_many_requests");
      return false;
    }
  }
  for (const auto& scope : RequiredScopes(op)) {
    if (!Has(caller->scopes, scope)) {
      SetApiError(res, 403, "Insufficient scope, expected any of: " + scope, "insufficient_scope");
      return false;
    }
  }
  return true;
}

bool FakeAuth0::Perform(FaultOp op, const std::string& kid, httplib::Response& res, std::string* body) {
  std::lock_guard lock(mu_);
  std::int64_t now = UnixNow();
  switch (op) {
    case FaultOp::kGetKeys: *body = KeyListJson(ring_.keys()); return true;
    case FaultOp::kGetKey: {
      const FakeSigningKey* key = ring_.Find(kid);
      if (key == nullptr) return SetApiError(res, 404, "Signing key not found"), false;
      *body = KeyObjectJson(*key);
      return true;
    }
    case FaultOp::kRotate: {
      std::int64_t day = now / 86400;
      if (day != rotation_day_) rotation_day_ = day, state_.rotations_today = 0;
      res.set_header("x-ratelimit-limit", std::to_string(options_.rotations_per_day));
      res.set_header("x-ratelimit-reset", std::to_string((day + 1) * 86400));
      if (state_.rotations_today >= options_.rotations_per_day) {
        res.set_header("x-ratelimit-remaining", "0");
        SetApiError(res, 429, "Too many signing key rotations: at most " + std::to_string(options_.rotations_per_day) +
                                  " a day", "too_many_requests");
        return false;
      }
      RotateLocked(now);
      ++state_.rotations_today;
      res.set_header("x-ratelimit-remaining", std::to_string(options_.rotations_per_day - state_.rotations_today));
      res.status = 201;
      *body = KeyReferenceJson(ring_.next());  // the new key; which one Auth0 describes is undocumented
      return true;
    }
    case FaultOp::kRevoke: {
      switch (ring_.Revoke(kid, now)) {
        case RevokeResult::kUnknownKid: return SetApiError(res, 404, "Signing key not found"), false;
        case RevokeResult::kNotPrevious:
          return SetApiError(res, 400, "Only the previous signing key can be revoked; " + kid + " is not it"), false;
        case RevokeResult::kAlreadyRevoked:
          return SetApiError(res, 400, "The signing key " + kid + " is already revoked"), false;
        case RevokeResult::kRevoked: break;
      }
      ++state_.revocations;
      *body = KeyReferenceJson(*ring_.Find(kid));
      return true;
    }
    default: return false;
  }
}

void FakeAuth0::HandleKeys(const httplib::Request& req, httplib::Response& res, FaultOp op) {
  Caller caller;
  if (!Admit(req, res, op, &caller)) return;
  std::string kid = req.matches.size() > 1 ? req.matches[1].str() : "";
  std::optional<Fault> fault = base_.faults().Take(op, caller.client_id);
  auto drop = [&] { ProviderFakeServer::Drop(req); };
  if (ProviderFakeServer::HangOrDropBefore(fault, req)) return;
  if (fault && fault->kind == FaultKind::kStatus) {
    // variant "echo-credentials": a careless proxy that echoes the request's credentials.
    std::string echo = fault->variant == "echo-credentials" ? " for " + req.get_header_value("Authorization") : "";
    return SetApiError(res, fault->status, "fault injected: status " + std::to_string(fault->status) + echo);
  }
  if (fault && fault->kind == FaultKind::kRateLimit) {
    res.set_header("x-ratelimit-limit", "50");
    res.set_header("x-ratelimit-remaining", "0");
    res.set_header("x-ratelimit-reset", std::to_string(UnixNow() + fault->retry_after_seconds));
    if (fault->send_retry_after) res.set_header("Retry-After", std::to_string(fault->retry_after_seconds));
    return SetApiError(res, 429, "Global limit has been reached", "too_many_requests");
  }
  std::string body;
  if (!Perform(op, kid, res, &body)) return;
  spdlog::debug("fake-auth0: {} for client {}{}", FaultOpName(op), caller.client_id, fault ? " (fault injected)" : "");
  if (!fault) return res.set_content(body, "application/json; charset=utf-8");
  switch (fault->kind) {
    case FaultKind::kDropAfter: return drop();
    case FaultKind::kLatency: std::this_thread::sleep_for(fault->latency); break;
    case FaultKind::kTruncated:
      res.set_content_provider(body.size(), "application/json", [body](size_t, size_t, httplib::DataSink& sink) {
        sink.write(body.data(), body.size() / 2);
        return false;  // abort: the connection closes mid-body
      });
      return;
    case FaultKind::kNonJson:
      return res.set_content("<html><body><h1>502 Bad Gateway</h1></body></html>", "text/html");
    case FaultKind::kWrongJson:
      if (op == FaultOp::kGetKeys) {
        std::lock_guard lock(mu_);
        return res.set_content(WrongKeyListJson(fault->variant, ring_), "application/json");
      }
      return res.set_content(R"({"kid":12345})", "application/json");
    default: break;
  }
  res.set_content(body, "application/json; charset=utf-8");
}

void FakeAuth0::RegisterApi(httplib::Server& server) {
  server.Post("/oauth/token", [this](const auto& req, auto& res) { HandleToken(req, res); });
  server.Get("/api/v2/keys/signing", [this](const auto& req, auto& res) { HandleKeys(req, res, FaultOp::kGetKeys); });
  server.Post("/api/v2/keys/signing/rotate",
                [this](const auto& req, auto& res) { HandleKeys(req, res, FaultOp::kRotate); });
  server.Get(R"(/api/v2/keys/signing/([^/]+))",
               [this](const auto& req, auto& res) { HandleKeys(req, res, FaultOp::kGetKey); });
  server.Put(R"(/api/v2/keys/signing/([^/]+)/revoke)",
               [this](const auto& req, auto& res) { HandleKeys(req, res, FaultOp::kRevoke); });
  server.Get("/.well-known/jwks.json",
               [this](const auto&, auto& res) { res.set_content(JwksJson(), "application/json; charset=utf-8"); });
}

void FakeAuth0::Start() {
  pool_ = std::make_unique<KeyPool>(options_.host, 2, options_.key_bank_dir);
  {
    std::lock_guard lock(mu_);
    auto first = pool_->TakeFirst(2);
    ring_.Init(std::move(first[0]), std::move(first[1]), UnixNow());
  }
  base_.Start([this](httplib::Server& server) {
    RegisterApi(server);
    RegisterControlApi(server);
  });
}

void FakeAuth0::Stop() {
  base_.Stop();
  pool_.reset();
}

}  // namespace keyroll::fakes
