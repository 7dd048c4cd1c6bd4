// provider_fake_server.cpp — see provider_fake_server.h.
#include "tests/fakes/common/provider_fake_server.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <stdexcept>

#include "tests/fakes/common/connection_drop.h"

namespace keyroll::fakes {
namespace {

using nlohmann::json;

std::string RandomHex(size_t bytes) {
  std::string raw(bytes, '\0');
  RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(bytes));
  static const char hex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : raw) out += {hex[b >> 4], hex[b & 15]};
  return out;
}

bool ConstantTimeEqual(const std::string& a, const std::string& b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

std::optional<Fault> FaultFromJson(const json& body, const std::string& default_variant) {
  auto kind = ParseFaultKind(Field<std::string>(body, "kind", ""));
  auto op = ParseFaultOp(Field<std::string>(body, "op", "any"));
  if (!kind || !op) return std::nullopt;
  Fault fault;
  fault.kind = *kind;
  fault.op = *op;
  fault.count = Field<int>(body, "count", 1);
  fault.account = Field<std::string>(body, "account", "");
  fault.status = Field<int>(body, "status", 503);
  fault.latency = std::chrono::milliseconds(Field<int>(body, "latency_ms", 0));
  fault.variant = Field<std::string>(body, "variant", default_variant);
  fault.retry_after_seconds = Field<int>(body, "retry_after", 1);
  fault.send_retry_after = Field<bool>(body, "send_retry_after", true);
  return fault;
}

ProviderFakeServer::ProviderFakeServer(ProviderFakeOptions options) : options_(std::move(options)) {
  if (options_.admin_token.empty()) options_.admin_token = "fake-admin-" + RandomHex(16);
}

ProviderFakeServer::~ProviderFakeServer() { Stop(); }

std::string ProviderFakeServer::base_url() const {
  return std::string(options_.plain_http ? "http" : "https") + "://" + domain();
}

void ProviderFakeServer::Start(const std::function<void(httplib::Server&)>& routes) {
  if (!options_.plain_http) tls_ = GenerateTlsMaterial(options_.name);
  FakeServerOptions o;
  o.tls = options_.plain_http ? nullptr : &tls_;
  server_ = std::make_unique<FakeServer>(o);
  RegisterControlRoutes(*server_);
  routes(*server_);
  port_ = server_->Serve(options_.name, options_.host, options_.port);
}

void ProviderFakeServer::Stop() {
  if (server_) server_->Stop();
  std::lock_guard lock(black_hole_mu_);
  if (black_hole_) black_hole_->Stop();
}

std::string ProviderFakeServer::BlackHoleUrl() {
  std::lock_guard lock(black_hole_mu_);
  if (!black_hole_) {
    black_hole_ = std::make_unique<BlackHole>();
    black_hole_->Start(options_.host);
  }
  return std::string(options_.plain_http ? "http" : "https") + "://" + options_.host + ":" +
         std::to_string(black_hole_->port());
}

bool ProviderFakeServer::IsAdmin(const httplib::Request& req) const {
  return ConstantTimeEqual(req.get_header_value("Authorization"), "Bearer " + options_.admin_token);
}

httplib::Server::Handler ProviderFakeServer::Guarded(
    std::function<void(const httplib::Request&, httplib::Response&)> handler) const {
  return [this, handler = std::move(handler)](const httplib::Request& req, httplib::Response& res) {
    if (!IsAdmin(req)) return options_.error(res, 401, "the control API needs the admin token");
    try {
      handler(req, res);
    } catch (const json::exception& e) {
      options_.error(res, 400, std::string("bad request: ") + e.what());
    }
  };
}

std::optional<json> ProviderFakeServer::JsonBody(const httplib::Request& req, httplib::Response& res) const {
  json body = req.body.empty() ? json::object() : json::parse(req.body, nullptr, false);
  if (!body.is_object()) {
    options_.error(res, 400, "the body must be a JSON object");
    return std::nullopt;
  }
  return body;
}

void ProviderFakeServer::Drop(const httplib::Request& req) {
  DropConnection(req.local_addr, req.local_port, req.remote_addr, req.remote_port);
}

bool ProviderFakeServer::HangOrDropBefore(const std::optional<Fault>& fault, const httplib::Request& req) {
  if (!fault) return false;
  if (fault->kind == FaultKind::kHang) {
    FakeServer::ParkConnection();
    return true;
  }
  if (fault->kind == FaultKind::kDropBefore) {
    Drop(req);
    return true;
  }
  return false;
}

void ProviderFakeServer::RegisterControlRoutes(httplib::Server& server) {
  server.Post("/_fake/faults", Guarded([this](const auto& req, auto& res) {
                auto body = JsonBody(req, res);
                if (!body) return;
                auto fault = FaultFromJson(*body, options_.default_variant);
                if (!fault) return options_.error(res, 400, "unknown fault kind or op");
                faults_.Add(*fault);
                res.status = 201;
                res.set_content("{}", "application/json");
              }));
  server.Delete("/_fake/faults", Guarded([this](const auto&, auto& res) {
                  faults_.Clear();
                  res.set_content("{}", "application/json");
                }));
  server.Post("/_fake/black-hole", Guarded([this](const auto&, auto& res) {
                res.status = 201;
                res.set_content(json{{"url", BlackHoleUrl()}}.dump(), "application/json");
              }));
}

}  // namespace keyroll::fakes
