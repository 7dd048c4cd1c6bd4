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
//   POST   /_fake/faults, DELETE /_fake/faults, POST /_fake/black-hole: see
//                                  provider_fake_server.h ("account" of a fault: the client id)
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

json StateJson(const FakeAuth0State& s) {
  return json{{"current_kid", s.current_kid}, {"next_kid", s.next_kid},   {"previous_kid", s.previous_kid},
              {"rotations", s.rotations},     {"revocations", s.revocations}, {"rotations_today", s.rotations_today},
              {"tokens_issued", s.tokens_issued}, {"unauthorized", s.unauthorized}, {"requests", s.requests}};
}

}  // namespace

void FakeAuth0::RegisterControlApi(httplib::Server& server) {
  auto guarded = [this](auto handler) { return base_.Guarded(handler); };
  server.Get("/_fake/state", guarded([this](const auto&, auto& res) {
    json out = StateJson(State());
    out["domain"] = domain();
    out["audience"] = audience();
    res.set_content(out.dump(), "application/json");
  }));
  server.Post("/_fake/clients", guarded([this](const auto& req, auto& res) {
    auto body = base_.JsonBody(req, res);
    if (!body) return;
    auto c = AddClient(Field<std::string>(*body, "client_id", ""), Field<std::string>(*body, "client_secret", ""),
                       Field<std::vector<std::string>>(*body, "scopes", kAllSigningKeyScopes));
    res.status = 201;
    res.set_content(json{{"client_id", c.client_id}, {"client_secret", c.client_secret}, {"scopes", c.scopes}}.dump(),
                    "application/json");
  }));
  server.Post("/_fake/rotate", guarded([this](const auto&, auto& res) {
    ConsoleRotate();
    auto s = State();
    res.set_content(json{{"current_kid", s.current_kid}, {"next_kid", s.next_kid}, {"previous_kid", s.previous_kid}}
                        .dump(),
                    "application/json");
  }));
  server.Get("/_fake/keys/current/private-key", guarded([this](const auto&, auto& res) {
    res.set_content(CurrentPrivateKeyPem(), "application/x-pem-file");
  }));
  server.Post("/_fake/tokens/expire", guarded([this](const auto&, auto& res) {
    ExpireTokens();
    res.set_content("{}", "application/json");
  }));
  server.Put("/_fake/rate-limit", guarded([this](const auto& req, auto& res) {
    auto body = base_.JsonBody(req, res);
    if (!body) return;
    if (body->contains("rotations_per_day")) SetRotationsPerDay(Field<int>(*body, "rotations_per_day", 5));
    if (body->contains("requests_per_second")) SetRequestsPerSecond(Field<int>(*body, "requests_per_second", 0));
    if (Field<bool>(*body, "reset_rotations", false)) ResetRotationBudget();
    res.set_content("{}", "application/json");
  }));
  server.Put("/_fake/token-lifetime", guarded([this](const auto& req, auto& res) {
    auto body = base_.JsonBody(req, res);
    if (!body) return;
    int seconds = Field<int>(*body, "seconds", 0);
    if (seconds <= 0) return SetApiError(res, 400, "seconds must be positive");
    SetTokenLifetime(seconds);
    res.set_content("{}", "application/json");
  }));
}

}  // namespace keyroll::fakes
