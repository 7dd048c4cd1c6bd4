// The fake's control API, for tests and the sandbox. Every call needs
// "Authorization: Bearer <admin token>" (FakeQStash::admin_token(), or DIR/admin-token).
//   POST   /_fake/accounts        {"token"?, "current"?, "next"?}  -> 201 {"token": "..."}
//   GET    /_fake/account         header Fake-Account-Token: T
//                                 -> {"current","next","rotations","requests":{op: n}}
//   POST   /_fake/account/rotate  header Fake-Account-Token: T  (out-of-band "console" rotation)
//   POST   /_fake/faults          {"kind", "op"?, "count"?, "status"?, "latency_ms"?, "variant"?,
//                                  "retry_after"?, "send_retry_after"?}   (see faults.h)
//   DELETE /_fake/faults          removes every queued fault
//   PUT    /_fake/rate-limit      {"per_second": N}  (0: unlimited)
// Account tokens travel in a header, never in the URL, like the real API's.
#include <httplib.h>

#include <nlohmann/json.hpp>

#include "tests/fakes/qstash/fake_qstash.h"

namespace keyroll::fakes {
namespace {

using nlohmann::json;

std::optional<json> JsonBody(const httplib::Request& req, httplib::Response& res) {
  json body = req.body.empty() ? json::object() : json::parse(req.body, nullptr, false);
  if (!body.is_object()) {
    SetError(res, 400, "the body must be a JSON object");
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

}  // namespace

void FakeQStash::RegisterControlApi() {
  auto guarded = [this](auto handler) {
    return [this, handler](const httplib::Request& req, httplib::Response& res) {
      if (!IsAdmin(req)) return SetError(res, 401, "the control API needs the admin token");
      try {
        handler(req, res);
      } catch (const json::exception& e) {
        SetError(res, 400, std::string("bad request: ") + e.what());
      }
    };
  };
  server_->Post("/_fake/accounts", guarded([this](const auto& req, auto& res) {
    auto body = JsonBody(req, res);
    if (!body) return;
    std::string token = CreateAccount(Field<std::string>(*body, "token", ""), Field<std::string>(*body, "current", ""),
                                      Field<std::string>(*body, "next", ""));
    res.status = 201;
    res.set_content(json{{"token", token}}.dump(), "application/json");
  }));
  server_->Get("/_fake/account", guarded([this](const auto& req, auto& res) {
    auto state = Account(req.get_header_value("Fake-Account-Token"));
    if (!state) return SetError(res, 404, "no such account");
    res.set_content(json{{"current", state->current},
                         {"next", state->next},
                         {"rotations", state->rotations},
                         {"requests", state->requests}}
                        .dump(),
                    "application/json");
  }));
  server_->Post("/_fake/account/rotate", guarded([this](const auto& req, auto& res) {
    if (!ConsoleRotate(req.get_header_value("Fake-Account-Token"))) return SetError(res, 404, "no such account");
    res.set_content("{}", "application/json");
  }));
  server_->Post("/_fake/faults", guarded([this](const auto& req, auto& res) {
    auto body = JsonBody(req, res);
    if (!body) return;
    auto kind = ParseFaultKind(Field<std::string>(*body, "kind", ""));
    auto op = ParseFaultOp(Field<std::string>(*body, "op", "any"));
    if (!kind || !op) return SetError(res, 400, "unknown fault kind or op");
    Fault fault;
    fault.kind = *kind;
    fault.op = *op;
    fault.count = Field<int>(*body, "count", 1);
    fault.status = Field<int>(*body, "status", 503);
    fault.latency = std::chrono::milliseconds(Field<int>(*body, "latency_ms", 0));
    fault.variant = Field<std::string>(*body, "variant", "current-number");
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
    SetRateLimit(Field<int>(*body, "per_second", 0));
    res.set_content("{}", "application/json");
  }));
}

}  // namespace keyroll::fakes
