// The fake's control API, for tests and the sandbox. Every call needs
// "Authorization: Bearer <admin token>" (FakeAuth0::admin_token(), or DIR/admin-token).
//   GET    /_fake/state            -> {"domain","audience","current_kid","next_kid","previous_kid",
//                                      "rotations","revocations","rotations_today","tokens_issued",
//                                      "unauthorized","requests":{op: n}}
//   POST   /_fake/clients          {"client_id"?, "client_secret"?, "scopes"?: [..]}
//                                  -> 201 {"client_id","client_secret","scopes"}
//   POST   /_fake/rotate           out-of-band ("dashboard") rotation, not rate limited
//                                  -> {"current_kid","next_kid","previous_kid"}
//   GET    /_fake/keys/current/private-key   the current key's private key (PKCS#8 PEM), so
//                                  a test can sign RS256 tokens as the tenant would
//   POST   /_fake/tokens/expire    every management token issued so far expires now
//   POST   /_fake/faults           {"kind", "op"?, "count"?, "status"?, "latency_ms"?, "variant"?,
//                                   "retry_after"?, "send_retry_after"?}   (see faults.h)
//   DELETE /_fake/faults           removes every queued fault
//   PUT    /_fake/rate-limit       {"rotations_per_day"?, "requests_per_second"?,
//                                   "reset_rotations"?: true (a new day)}
//   PUT    /_fake/token-lifetime   {"seconds": N}   (for tokens issued from now on)
#include <httplib.h>

#include <nlohmann/json.hpp>

#include "tests/fakes/auth0/fake_auth0.h"
#include "tests/fakes/auth0/wire.h"

namespace keyroll::fakes {
namespace {

using nlohmann::json;

std::optional<json> JsonBody(const httplib::Request& req, httplib::Response& res) {
  json body = req.body.empty() ? json::object() : json::parse(req.body, nullptr, false);
  if (!body.is_object()) {
    SetApiError(res, 400, "the body must be a JSON object");
    return std::nullopt;
  }
  return body;
}

template <typename T>
T Field(const json& body, const char* name, T fallback) {
  auto it = body.find(name);
  if (it == body.end() || it->is_null()) return fallback;
  return it->get<T>();
}

json StateJson(const FakeAuth0State& s) {
  return json{{"current_kid", s.current_kid}, {"next_kid", s.next_kid},   {"previous_kid", s.previous_kid},
              {"rotations", s.rotations},     {"revocations", s.revocations}, {"rotations_today", s.rotations_today},
              {"tokens_issued", s.tokens_issued}, {"unauthorized", s.unauthorized}, {"requests", s.requests}};
}

}  // namespace

void FakeAuth0::RegisterControlApi() {
  auto guarded = [this](auto handler) {
    return [this, handler](const httplib::Request& req, httplib::Response& res) {
      if (!IsAdmin(req)) return SetApiError(res, 401, "the control API needs the admin token");
      try {
        handler(req, res);
      } catch (const json::exception& e) {
        SetApiError(res, 400, std::string("bad request: ") + e.what());
      }
    };
  };
  server_->Get("/_fake/state", guarded([this](const auto&, auto& res) {
    json out = StateJson(State());
    out["domain"] = domain();
    out["audience"] = audience();
    res.set_content(out.dump(), "application/json");
  }));
  server_->Post("/_fake/clients", guarded([this](const auto& req, auto& res) {
    auto body = JsonBody(req, res);
    if (!body) return;
    auto c = AddClient(Field<std::string>(*body, "client_id", ""), Field<std::string>(*body, "client_secret", ""),
                       Field<std::vector<std::string>>(*body, "scopes", kAllSigningKeyScopes));
    res.status = 201;
    res.set_content(json{{"client_id", c.client_id}, {"client_secret", c.client_secret}, {"scopes", c.scopes}}.dump(),
                    "application/json");
  }));
  server_->Post("/_fake/rotate", guarded([this](const auto&, auto& res) {
    ConsoleRotate();
    auto s = State();
    res.set_content(json{{"current_kid", s.current_kid}, {"next_kid", s.next_kid}, {"previous_kid", s.previous_kid}}
                        .dump(),
                    "application/json");
  }));
  server_->Get("/_fake/keys/current/private-key", guarded([this](const auto&, auto& res) {
    res.set_content(CurrentPrivateKeyPem(), "application/x-pem-file");
  }));
  server_->Post("/_fake/tokens/expire", guarded([this](const auto&, auto& res) {
    ExpireTokens();
    res.set_content("{}", "application/json");
  }));
  server_->Post("/_fake/faults", guarded([this](const auto& req, auto& res) {
    auto body = JsonBody(req, res);
    if (!body) return;
    auto kind = ParseFaultKind(Field<std::string>(*body, "kind", ""));
    auto op = ParseFaultOp(Field<std::string>(*body, "op", "any"));
    if (!kind || !op) return SetApiError(res, 400, "unknown fault kind or op");
    Fault fault;
    fault.kind = *kind;
    fault.op = *op;
    fault.count = Field<int>(*body, "count", 1);
    fault.status = Field<int>(*body, "status", 503);
    fault.latency = std::chrono::milliseconds(Field<int>(*body, "latency_ms", 0));
    fault.variant = Field<std::string>(*body, "variant", "no-current");
    fault.retry_after_seconds = Field<int>(*body, "retry_after", 1);
    fault.send_retry_after = Field<bool>(*body, "send_retry_after", true);
    InjectFault(fault);
    res.status = 201;
    res.set_content("{}", "application/json");
  }));
  server_->Delete("/_fake/faults", guarded([this](const auto&, auto& res) {
    ResetFaults();
    res.set_content("{}", "application/json");
  }));
  server_->Put("/_fake/rate-limit", guarded([this](const auto& req, auto& res) {
    auto body = JsonBody(req, res);
    if (!body) return;
    if (body->contains("rotations_per_day")) SetRotationsPerDay(Field<int>(*body, "rotations_per_day", 5));
    if (body->contains("requests_per_second")) SetRequestsPerSecond(Field<int>(*body, "requests_per_second", 0));
    if (Field<bool>(*body, "reset_rotations", false)) ResetRotationBudget();
    res.set_content("{}", "application/json");
  }));
  server_->Put("/_fake/token-lifetime", guarded([this](const auto& req, auto& res) {
    auto body = JsonBody(req, res);
    if (!body) return;
    int seconds = Field<int>(*body, "seconds", 0);
    if (seconds <= 0) return SetApiError(res, 400, "seconds must be positive");
    SetTokenLifetime(seconds);
    res.set_content("{}", "application/json");
  }));
}

}  // namespace keyroll::fakes
