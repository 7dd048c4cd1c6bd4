// The fake's control API, for tests and the sandbox. Every call needs
// "Authorization: Bearer <admin token>" (FakeQStash::admin_token(), or DIR/admin-token).
//   POST   /_fake/accounts        {"token"?, "current"?, "next"?}  -> 201 {"token": "..."}
//   GET    /_fake/account         header Fake-Account-Token: T
//                                 -> {"current","next","rotations","requests":{op: n}}
//   POST   /_fake/account/rotate  header Fake-Account-Token: T  (out-of-band "console" rotation)
//   POST   /_fake/faults, DELETE /_fake/faults, POST /_fake/black-hole: see
//                                 provider_fake_server.h ("account" of a fault: the token)
//   PUT    /_fake/rate-limit      {"per_second": N}  (0: unlimited)
// Account tokens travel in a header, never in the URL, like the real API's.
#include <httplib.h>

#include <nlohmann/json.hpp>

#include "tests/fakes/qstash/fake_qstash.h"

namespace keyroll::fakes {

using nlohmann::json;

void FakeQStash::RegisterControlApi(httplib::Server& server) {
  server.Post("/_fake/accounts", base_.Guarded([this](const auto& req, auto& res) {
    auto body = base_.JsonBody(req, res);
    if (!body) return;
    std::string token = CreateAccount(Field<std::string>(*body, "token", ""), Field<std::string>(*body, "current", ""),
                                      Field<std::string>(*body, "next", ""));
    res.status = 201;
    res.set_content(json{{"token", token}}.dump(), "application/json");
  }));
  server.Get("/_fake/account", base_.Guarded([this](const auto& req, auto& res) {
    auto state = Account(req.get_header_value("Fake-Account-Token"));
    if (!state) return SetError(res, 404, "no such account");
    res.set_content(json{{"current", state->current},
                         {"next", state->next},
                         {"rotations", state->rotations},
                         {"requests", state->requests}}
                        .dump(),
                    "application/json");
  }));
  server.Post("/_fake/account/rotate", base_.Guarded([this](const auto& req, auto& res) {
    if (!ConsoleRotate(req.get_header_value("Fake-Account-Token"))) return SetError(res, 404, "no such account");
    res.set_content("{}", "application/json");
  }));
  server.Put("/_fake/rate-limit", base_.Guarded([this](const auto& req, auto& res) {
    auto body = base_.JsonBody(req, res);
    if (!body) return;
    SetRateLimit(Field<int>(*body, "per_second", 0));
    res.set_content("{}", "application/json");
  }));
}

}  // namespace keyroll::fakes
