// provider_fake_server: what the provider fakes (QStash, Auth0) share around their own
// endpoints — TLS material generated at start-up, the server (fake_server.h: a pool that
// cannot be held hostage), the admin guard of the /_fake/ control API, its JSON helpers,
// the fault queue with its routes, the "hung" fault and the black-hole endpoint:
//   POST   /_fake/faults      {"kind", "op"?, "count"?, "account"?, "status"?, "latency_ms"?,
//                             "variant"?, "retry_after"?, "send_retry_after"?}  (faults.h)
//   DELETE /_fake/faults      removes every queued fault (and ends hung requests' effect)
//   POST   /_fake/black-hole  -> {"url": "https://HOST:PORT"}: an endpoint whose TLS
//                             handshake never completes (one per fake, opened on first use)
// Each fake keeps only its endpoints, its state and its error body (ErrorWriter).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/fakes/common/black_hole.h"
#include "tests/fakes/common/fake_server.h"
#include "tests/fakes/common/faults.h"
#include "tests/fakes/common/tls_cert.h"

namespace keyroll::fakes {

// Writes the service's error body for `status`.
using ErrorWriter = std::function<void(httplib::Response&, int status, const std::string& message)>;

struct ProviderFakeOptions {
  std::string name;  // "fake-qstash": the certificate's CN and messages
  std::string host = "127.0.0.1";
  int port = 0;
  bool plain_http = false;
  std::string admin_token;  // generated when empty
  std::string default_variant;  // of a wrong-json fault posted without one
  ErrorWriter error;
};

class ProviderFakeServer {
 public:
  explicit ProviderFakeServer(ProviderFakeOptions options);
  ~ProviderFakeServer();  // Stop()

  // Generates the TLS material, registers the shared control routes, lets `routes` add the
  // fake's own, binds and serves. Throws std::runtime_error.
  void Start(const std::function<void(httplib::Server&)>& routes);
  void Stop();  // returns within about a second whatever the clients do

  int port() const { return port_; }
  std::string base_url() const;
  std::string domain() const { return options_.host + ":" + std::to_string(port_); }
  const std::string& ca_cert_pem() const { return tls_.ca_cert_pem; }
  const std::string& admin_token() const { return options_.admin_token; }
  FaultQueue& faults() { return faults_; }
  const FakeServer* server() const { return server_.get(); }
  // The black-hole endpoint's URL (opened on first use).
  std::string BlackHoleUrl();

  bool IsAdmin(const httplib::Request& req) const;
  // A control handler behind the admin token; a JSON error in it answers 400.
  httplib::Server::Handler Guarded(std::function<void(const httplib::Request&, httplib::Response&)> handler) const;
  // The request body as a JSON object ({} when empty); nullopt after answering 400.
  std::optional<nlohmann::json> JsonBody(const httplib::Request& req, httplib::Response& res) const;

  // What every provider endpoint does with the fault it took before doing its work: hang
  // (the connection is parked, never answered) or drop-before (closed without an answer).
  // True when the request is handled that way and the endpoint must return.
  static bool HangOrDropBefore(const std::optional<Fault>& fault, const httplib::Request& req);
  // Closes the request's connection without an answer (drop faults).
  static void Drop(const httplib::Request& req);

 private:
  void RegisterControlRoutes(httplib::Server& server);

  ProviderFakeOptions options_;
  TlsMaterial tls_;
  std::unique_ptr<FakeServer> server_;
  int port_ = 0;
  FaultQueue faults_;
  std::mutex black_hole_mu_;
  std::unique_ptr<BlackHole> black_hole_;
};

template <typename T>
T Field(const nlohmann::json& body, const char* name, T fallback) {
  auto it = body.find(name);
  if (it == body.end() || it->is_null()) return fallback;
  return it->get<T>();
}

// A fault from a /_fake/faults body; nullopt for an unknown kind or op.
std::optional<Fault> FaultFromJson(const nlohmann::json& body, const std::string& default_variant);

}  // namespace keyroll::fakes
