// fake_auth0: an in-process Auth0 tenant for tests (and, wrapped by main.cpp, the fake-auth0
// executable). Real HTTP/1.1 over TLS (or plain HTTP) with the real endpoints:
//   POST /oauth/token                      client credentials (form or JSON) -> RS256 JWT
//   GET  /api/v2/keys/signing              read:signing_keys
//   GET  /api/v2/keys/signing/{kid}        read:signing_keys; 404 unknown kid
//   POST /api/v2/keys/signing/rotate       create:signing_keys + update:signing_keys; 201
//   PUT  /api/v2/keys/signing/{kid}/revoke update:signing_keys; only the previous key
//   GET  /.well-known/jwks.json            current, next, previous (until revoked)
// One fake is one tenant (a tenant is a domain) with any number of clients, each with its
// own secret and scopes. Tokens expire for real. Rotations are limited per UTC day (5 by
// default) and requests per second per client (off by default), answered with 429 and
// x-ratelimit-limit/-remaining/-reset. Faults as in faults.h (a status fault with variant
// "echo-credentials" puts the request's Authorization header / token form body into its
// error message, like a careless proxy: for leak tests); control API: control_api.cpp.
// Not emulated: pkcs7, pagination, custom domains, other Management API endpoints.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "tests/fakes/auth0/key_ring.h"
#include "tests/fakes/auth0/signing_key.h"
#include "tests/fakes/common/faults.h"
#include "tests/fakes/common/provider_fake_server.h"

namespace keyroll::fakes {

inline const std::vector<std::string> kAllSigningKeyScopes = {"read:signing_keys", "create:signing_keys",
                                                               "update:signing_keys"};

struct FakeAuth0Options {
  std::string host = "127.0.0.1";
  int port = 0;             // 0: any free port (read it back with port())
  bool plain_http = false;  // default: HTTPS with a certificate generated at start-up
  std::string admin_token;  // for /_fake/; generated when empty
  std::string audience;     // "" = https://HOST:PORT/api/v2/
  int token_lifetime_seconds = 86400;
  int rotations_per_day = 5;
  int requests_per_second = 0;  // per client on /api/v2; 0: unlimited
  // "" (default): every key is generated afresh. Tests name a directory shared by all test
  // processes so RSA key pairs are generated once (see BankedSigningKey in signing_key.h).
  std::string key_bank_dir;
};

struct FakeAuth0Client {
  std::string client_id;
  std::string client_secret;
  std::vector<std::string> scopes;
};

// What tests assert on. Holds no secrets.
struct FakeAuth0State {
  std::string current_kid, next_kid, previous_kid;  // previous: "" when none (or revoked)
  int rotations = 0;        // API and console rotations
  int revocations = 0;
  int rotations_today = 0;  // counted against rotations_per_day
  int tokens_issued = 0;
  int unauthorized = 0;     // 401 answers of /api/v2 (missing, unknown or expired token)
  std::map<std::string, int> requests;  // by op: token, get_keys, get_key, rotate, revoke
};

class FakeAuth0 {
 public:
  explicit FakeAuth0(FakeAuth0Options options = {});
  ~FakeAuth0();
  FakeAuth0(const FakeAuth0&) = delete;
  FakeAuth0& operator=(const FakeAuth0&) = delete;

  void Start();  // generates the first keys, binds and serves; throws std::runtime_error
  void Stop();

  int port() const { return base_.port(); }
  std::string base_url() const { return base_.base_url(); }  // https://127.0.0.1:PORT (http:// with plain_http)
  std::string domain() const { return base_.domain(); }      // 127.0.0.1:PORT: what a client is configured with
  std::string audience() const;
  const std::string& ca_cert_pem() const { return base_.ca_cert_pem(); }  // "" with plain_http
  const std::string& admin_token() const { return base_.admin_token(); }
  // An endpoint whose TLS handshake never completes (point a resource's domain at it).
  std::string BlackHoleUrl() { return base_.BlackHoleUrl(); }
  const FakeServer* server() const { return base_.server(); }

  // Empty id/secret get generated ones. Returns the client.
  FakeAuth0Client AddClient(const std::string& client_id = "", const std::string& client_secret = "",
                            const std::vector<std::string>& scopes = kAllSigningKeyScopes);
  std::vector<FakeAuth0Client> Clients() const;

  FakeAuth0State State() const;
  std::vector<FakeSigningKey> Keys() const;     // every key, with its private key: never print
  std::string CurrentPrivateKeyPem() const;     // to sign RS256 tokens in tests
  std::string JwksJson() const;                 // what /.well-known/jwks.json serves
  bool ConsoleRotate();                         // out-of-band rotation; not rate limited
  void ExpireTokens();                          // every token issued so far expires now
  std::vector<std::string> AllSecrets() const;  // client secrets, tokens, private keys, admin token

  void InjectFault(Fault fault) { base_.faults().Add(std::move(fault)); }
  void ResetFaults() { base_.faults().Clear(); }
  void SetRotationsPerDay(int n);
  void ResetRotationBudget();  // as if a new day started
  void SetRequestsPerSecond(int n);
  void SetTokenLifetime(int seconds);

 private:
  struct IssuedToken {
    std::string client_id;
    std::vector<std::string> scopes;
    std::int64_t expires_at = 0;
  };
  struct Caller {
    std::string client_id;
    std::vector<std::string> scopes;
  };
  void RegisterApi(httplib::Server& server);
  void RegisterControlApi(httplib::Server& server);
  void HandleToken(const httplib::Request& req, httplib::Response& res);
  void HandleKeys(const httplib::Request& req, httplib::Response& res, FaultOp op);
  // Authenticates, counts, applies the burst limit and the scope check; false when res holds
  // the answer (401, 403 or 429).
  bool Admit(const httplib::Request& req, httplib::Response& res, FaultOp op, Caller* caller);
  // Performs op on the key ring; false when res holds an error answer.
  bool Perform(FaultOp op, const std::string& kid, httplib::Response& res, std::string* body);
  std::string IssueToken(const FakeAuth0Client& client);  // with mu_ held
  void RotateLocked(std::int64_t now);

  FakeAuth0Options options_;
  ProviderFakeServer base_;
  std::unique_ptr<KeyPool> pool_;
  mutable std::mutex mu_;
  KeyRing ring_;
  FakeAuth0State state_;
  std::map<std::string, FakeAuth0Client> clients_;
  std::map<std::string, IssuedToken> tokens_;
  std::vector<std::string> issued_;  // every token and secret handed out, for AllSecrets()
  std::int64_t rotation_day_ = 0;
  std::map<std::string, std::pair<std::int64_t, int>> burst_;  // client -> (second, count)
};

std::string FaultOpName(FaultOp op);

}  // namespace keyroll::fakes
