// The fake's token endpoint, POST /oauth/token (client-credentials grant, form or JSON
// body): 401 invalid_client for unknown clients or wrong secrets, 403 access_denied for a
// foreign audience, else an RS256 JWT signed with the tenant's current key, as Auth0 issues
// management tokens. Token-op faults apply here.
#include <httplib.h>
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "operator/base/crypto.h"
#include "operator/base/encoding.h"
#include "tests/fakes/auth0/fake_auth0.h"
#include "tests/fakes/auth0/wire.h"
#include "tests/fakes/common/secrets_ledger.h"

namespace keyroll::fakes {
namespace {

using nlohmann::json;

std::string Join(const std::vector<std::string>& parts, const char* sep) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : sep) + p;
  return out;
}

}  // namespace

std::string FakeAuth0::IssueToken(const FakeAuth0Client& client) {
  // Shaped like Auth0's management tokens: an RS256 JWT signed with the tenant's current key.
  std::int64_t now = UnixNow();
  std::int64_t exp = now + options_.token_lifetime_seconds;
  json header = {{"alg", "RS256"}, {"typ", "JWT"}, {"kid", ring_.current().kid}};
  json claims = {{"iss", "https://" + domain() + "/"}, {"sub", client.client_id + "@clients"},
                 {"aud", audience()},                  {"iat", now},
                 {"exp", exp},                         {"jti", base::HexLower(base::RandomBytes(8))},
                 {"scope", Join(client.scopes, " ")},  {"gty", "client-credentials"},
                 {"azp", client.client_id}};
  std::string input = base::Base64UrlEncode(header.dump(), false) + "." + base::Base64UrlEncode(claims.dump(), false);
  std::string token = input + "." + base::Base64UrlEncode(SignRs256(ring_.current().private_key_pem, input), false);
  tokens_[token] = IssuedToken{client.client_id, client.scopes, exp};
  issued_.push_back(token);
  RecordIssuedSecrets({token});
  ++state_.tokens_issued;
  return token;
}

void FakeAuth0::HandleToken(const httplib::Request& req, httplib::Response& res) {
  std::map<std::string, std::string> fields;
  if (req.get_header_value("Content-Type").rfind("application/json", 0) == 0) {
    json body = json::parse(req.body, nullptr, false);
    if (!body.is_object()) return SetTokenError(res, 400, "invalid_request", "the body is not a JSON object");
    for (const auto& [k, v] : body.items()) {
      if (v.is_string()) fields[k] = v.get<std::string>();
    }
  } else {
    httplib::Params params;
    httplib::detail::parse_query_text(req.body, params);
    for (const auto& [k, v] : params) fields[k] = v;
  }
  {
    std::lock_guard lock(mu_);
    ++state_.requests["token"];
  }
  std::optional<Fault> fault = base_.faults().Take(FaultOp::kToken, fields["client_id"]);
  if (fault && fault->kind == FaultKind::kHang) return FakeServer::ParkConnection();
  if (fault && fault->kind == FaultKind::kStatus) {
    // variant "echo-credentials": a careless proxy that echoes the request's credentials.
    std::string echo = fault->variant == "echo-credentials" ? " for " + req.body : "";
    return SetTokenError(res, fault->status, "server_error",
                         "fault injected: status " + std::to_string(fault->status) + echo);
  }
  if (fault && fault->kind == FaultKind::kRateLimit) {
    res.set_header("Retry-After", std::to_string(fault->retry_after_seconds));
    return SetTokenError(res, 429, "too_many_requests", "Global limit has been reached");
  }
  if (fault && fault->kind == FaultKind::kDropBefore) {
    ProviderFakeServer::Drop(req);
    return;
  }
  if (fields["grant_type"] != "client_credentials") {
    return SetTokenError(res, 403, "unauthorized_client", "Grant type '" + fields["grant_type"] + "' not allowed for the client.");
  }
  std::string body;
  {
    std::lock_guard lock(mu_);
    auto it = clients_.find(fields["client_id"]);
    if (it == clients_.end() ||
        !base::ConstantTimeEquals(it->second.client_secret, fields["client_secret"])) {
      return SetTokenError(res, 401, "invalid_client", "Client authentication failed");
    }
    if (fields["audience"] != audience()) {
      return SetTokenError(res, 403, "access_denied", "Service not enabled within domain: " + fields["audience"]);
    }
    std::string token = IssueToken(it->second);
    body = json{{"access_token", token}, {"scope", Join(it->second.scopes, " ")},
                {"expires_in", options_.token_lifetime_seconds}, {"token_type", "Bearer"}}.dump();
  }
  spdlog::debug("fake-auth0: issued a management token{}", fault ? " (fault injected)" : "");
  if (!fault) return res.set_content(body, "application/json");
  switch (fault->kind) {
    case FaultKind::kDropAfter:
      ProviderFakeServer::Drop(req);
      return;
    case FaultKind::kLatency: std::this_thread::sleep_for(fault->latency); break;
    case FaultKind::kNonJson: return res.set_content("<html><body>502 Bad Gateway</body></html>", "text/html");
    case FaultKind::kWrongJson: return res.set_content(R"({"access_token":12345,"token_type":"Bearer"})", "application/json");
    default: break;
  }
  res.set_content(body, "application/json");
}

}  // namespace keyroll::fakes
