// fake_qstash: an in-process QStash signing-keys service for tests (and, wrapped by
// main.cpp, the fake-qstash executable). Real HTTP/1.1 over TLS (or plain HTTP), the real
// endpoints and auth, several accounts, rate limits, injectable faults, a publish endpoint
// that delivers signed messages, and a control API under /_fake/ (see control_api.cpp).
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tests/fakes/common/faults.h"
#include "tests/fakes/common/provider_fake_server.h"

namespace keyroll::fakes {

struct FakeQStashOptions {
  std::string host = "127.0.0.1";
  int port = 0;             // 0: any free port (read it back with port())
  bool plain_http = false;  // default: HTTPS with a certificate generated at start-up
  std::string admin_token;  // for /_fake/; generated when empty
  int rate_limit_per_second = 0;  // per account; 0: unlimited
};

// What tests assert on. Holds real key values: never print it.
struct FakeAccountState {
  std::string current;
  std::string next;
  int rotations = 0;                     // API and console rotations
  std::map<std::string, int> requests;   // by op: "get_keys", "rotate", "publish"
};

// The answer to a publish: QStash's messageId plus what the destination said.
struct PublishOutcome {
  int http_status = 0;        // of the publish call itself
  std::string message_id;
  int destination_status = 0;  // 0: the destination could not be reached
  std::string destination_error;
};

class FakeQStash {
 public:
  explicit FakeQStash(FakeQStashOptions options = {});
  ~FakeQStash();
  FakeQStash(const FakeQStash&) = delete;
  FakeQStash& operator=(const FakeQStash&) = delete;

  void Start();  // binds and serves on a background thread; throws std::runtime_error
  void Stop();

  int port() const { return base_.port(); }
  std::string base_url() const { return base_.base_url(); }  // https://127.0.0.1:PORT (http:// with plain_http)
  const std::string& ca_cert_pem() const { return base_.ca_cert_pem(); }  // "" with plain_http
  const std::string& admin_token() const { return base_.admin_token(); }
  // An endpoint whose TLS handshake never completes (point an account's URL at it).
  std::string BlackHoleUrl() { return base_.BlackHoleUrl(); }
  const FakeServer* server() const { return base_.server(); }

  // Accounts. An empty token gets a generated one (QStash-like: base64 JSON); empty keys
  // get generated ones (sig_ + 28 base58 chars). Returns the token.
  std::string CreateAccount(const std::string& token = "", const std::string& current = "",
                            const std::string& next = "");
  std::optional<FakeAccountState> Account(const std::string& token) const;
  bool ConsoleRotate(const std::string& token);  // out-of-band rotation, as in the console
  std::vector<std::string> AllSecrets() const;   // every token and key ever issued (leak checks)
  // Distinct client connections (remote address and port) that carried `op` requests
  // ("get_keys", "rotate", "publish"), whatever the account.
  int Connections(const std::string& op) const;

  void InjectFault(Fault fault) { base_.faults().Add(std::move(fault)); }
  void ResetFaults() { base_.faults().Clear(); }
  void SetRateLimit(int per_second);

  static std::string NewSigningKey();  // sig_ + 28 base58 characters from RAND_bytes
  static std::string NewToken();

 private:
  struct AccountData {
    FakeAccountState state;
    std::int64_t window_second = 0;
    int window_count = 0;
  };
  void RegisterApi(httplib::Server& server);
  void RegisterControlApi(httplib::Server& server);
  void HandleKeys(const httplib::Request& req, httplib::Response& res, FaultOp op);
  void HandlePublish(const httplib::Request& req, httplib::Response& res);
  // Looks up the caller's account, counts the request and applies the rate limit; false
  // when res already holds the answer (401 or 429).
  bool Admit(const httplib::Request& req, httplib::Response& res, const std::string& op, std::string* token);
  void RotateLocked(const std::string& token, AccountData& account);

  FakeQStashOptions options_;
  ProviderFakeServer base_;
  mutable std::mutex mu_;
  std::map<std::string, AccountData> accounts_;
  std::map<std::string, std::set<std::string>> connections_;  // op -> "addr:port"
  std::vector<std::string> issued_;  // every secret handed out, for AllSecrets()
  int rate_limit_ = 0;
};

// Sends a JSON {"error": message} answer.
void SetError(httplib::Response& res, int status, const std::string& message);

}  // namespace keyroll::fakes
