#include "tests/fakes/qstash/fake_qstash.h"

#include <httplib.h>
#include <openssl/pem.h>
#include <signal.h>
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>
#include <stdexcept>

#include "operator/providers/crypto.h"
#include "tests/fakes/common/connection_drop.h"
#include "tests/fakes/common/secrets_ledger.h"

namespace keyroll::fakes {
namespace {

using providers::Base64UrlEncode;
using providers::HexLower;
using providers::RandomBytes;

constexpr char kBase58[] = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

std::int64_t UnixNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A short, harmless label for an account in logs: never the token itself.
std::string AccountLabel(const std::string& token) {
  return HexLower(providers::Sha256(token)).substr(0, 8);
}

std::string WrongJson(const std::string& variant, const FakeAccountState& s) {
  using nlohmann::json;
  if (variant == "current-number") return json{{"current", 12345}, {"next", s.next}}.dump();
  if (variant == "missing-next") return json{{"current", s.current}}.dump();
  if (variant == "missing-current") return json{{"next", s.next}}.dump();
  if (variant == "equal") return json{{"current", s.current}, {"next", s.current}}.dump();
  if (variant == "empty-current") return json{{"current", ""}, {"next", s.next}}.dump();
  if (variant == "null-next") return json{{"current", s.current}, {"next", nullptr}}.dump();
  if (variant == "array") return json::array({s.current, s.next}).dump();
  return json("keys").dump();  // "string"
}

}  // namespace

void SetError(httplib::Response& res, int status, const std::string& message) {
  res.status = status;
  res.set_content(nlohmann::json{{"error", message}}.dump(), "application/json");
}

FakeQStash::FakeQStash(FakeQStashOptions options) : options_(std::move(options)) {
  if (options_.admin_token.empty()) options_.admin_token = "fake-admin-" + HexLower(RandomBytes(16));
  RecordIssuedSecrets({options_.admin_token});
  rate_limit_ = options_.rate_limit_per_second;
}

FakeQStash::~FakeQStash() {
  Stop();
}

std::string FakeQStash::base_url() const {
  return std::string(options_.plain_http ? "http" : "https") + "://" + options_.host + ":" + std::to_string(port_);
}

std::string FakeQStash::NewSigningKey() {
  std::string key = "sig_";
  while (key.size() < 4 + 28) {
    for (unsigned char b : RandomBytes(32)) {
      if (b >= 232 || key.size() == 4 + 28) continue;  // 232 = 4 * 58: no modulo bias
      key.push_back(kBase58[b % 58]);
    }
  }
  return key;
}

std::string FakeQStash::NewToken() {
  // Shaped like a real QStash token: base64 of a small JSON document.
  nlohmann::json doc = {{"UserID", HexLower(RandomBytes(16))}, {"Password", HexLower(RandomBytes(16))}};
  return Base64UrlEncode(doc.dump(), true);
}

std::string FakeQStash::CreateAccount(const std::string& token, const std::string& current, const std::string& next) {
  std::string t = token.empty() ? NewToken() : token;
  AccountData data;
  data.state.current = current.empty() ? NewSigningKey() : current;
  data.state.next = next.empty() ? NewSigningKey() : next;
  std::lock_guard lock(mu_);
  issued_.insert(issued_.end(), {t, data.state.current, data.state.next});
  RecordIssuedSecrets({t});  // when issued: a killed fake loses nothing
  RecordIssuedSecrets({data.state.current, data.state.next}, "key");
  accounts_[t] = std::move(data);
  return t;
}

std::optional<FakeAccountState> FakeQStash::Account(const std::string& token) const {
  std::lock_guard lock(mu_);
  auto it = accounts_.find(token);
  if (it == accounts_.end()) return std::nullopt;
  return it->second.state;
}

int FakeQStash::Connections(const std::string& op) const {
  std::lock_guard lock(mu_);
  auto it = connections_.find(op);
  return it == connections_.end() ? 0 : static_cast<int>(it->second.size());
}

void FakeQStash::RotateLocked(AccountData& account) {
  account.state.current = account.state.next;
  account.state.next = NewSigningKey();
  issued_.push_back(account.state.next);
  RecordIssuedSecrets({account.state.next}, "key");
  ++account.state.rotations;
}

bool FakeQStash::ConsoleRotate(const std::string& token) {
  std::lock_guard lock(mu_);
  auto it = accounts_.find(token);
  if (it == accounts_.end()) return false;
  RotateLocked(it->second);
  spdlog::info("fake-qstash: account {} rotated in the console", AccountLabel(token));
  return true;
}

std::vector<std::string> FakeQStash::AllSecrets() const {
  std::lock_guard lock(mu_);
  auto out = issued_;
  out.push_back(options_.admin_token);
  return out;
}

void FakeQStash::SetRateLimit(int per_second) {
  std::lock_guard lock(mu_);
  rate_limit_ = per_second;
}

bool FakeQStash::IsAdmin(const httplib::Request& req) const {
  return providers::ConstantTimeEquals(req.get_header_value("Authorization"), "Bearer " + options_.admin_token);
}

bool FakeQStash::Admit(const httplib::Request& req, httplib::Response& res, const std::string& op,
                       std::string* token) {
  std::string auth = req.get_header_value("Authorization");
  if (auth.rfind("Bearer ", 0) == 0) {
    *token = auth.substr(7);
  } else if (req.has_param("qstash_token")) {
    *token = req.get_param_value("qstash_token");
  }
  std::lock_guard lock(mu_);
  connections_[op].insert(req.remote_addr + ":" + std::to_string(req.remote_port));
  auto it = token->empty() ? accounts_.end() : accounts_.find(*token);
  if (it == accounts_.end()) {
    SetError(res, 401, "Unauthorized");
    return false;
  }
  AccountData& account = it->second;
  ++account.state.requests[op];
  std::int64_t now = UnixNow();
  if (account.window_second != now) {
    account.window_second = now;
    account.window_count = 0;
  }
  ++account.window_count;
  if (rate_limit_ > 0 && account.window_count > rate_limit_) {
    res.set_header("Burst-RateLimit-Limit", std::to_string(rate_limit_));
    res.set_header("Burst-RateLimit-Remaining", "0");
    res.set_header("Burst-RateLimit-Reset", std::to_string(now + 1));
    res.set_header("Retry-After", "1");
    SetError(res, 429, "Too many requests: burst rate limit exceeded");
    return false;
  }
  return true;
}

void FakeQStash::HandleKeys(const httplib::Request& req, httplib::Response& res, FaultOp op) {
  const std::string op_name = op == FaultOp::kRotate ? "rotate" : "get_keys";
  std::string token;
  if (!Admit(req, res, op_name, &token)) return;
  std::optional<Fault> fault = faults_.Take(op);
  auto drop = [&] {
    if (!DropConnection(req.local_addr, req.local_port, req.remote_addr, req.remote_port)) {
      spdlog::error("fake-qstash: could not find the connection to drop");
    }
  };
  if (fault) {
    switch (fault->kind) {
      case FaultKind::kStatus:
        if (fault->variant == "echo-secrets") {  // a careless service echoing what it got and holds
          auto s = Account(token);
          return SetError(res, fault->status, "invalid request with Authorization: " +
                                                  req.get_header_value("Authorization") + " (token " + token +
                                                  ", keys " + (s ? s->current + " " + s->next : "") + ")");
        }
        return SetError(res, fault->status, "fault injected: status " + std::to_string(fault->status));
      case FaultKind::kRateLimit:
        res.set_header("Burst-RateLimit-Limit", "100");
        res.set_header("Burst-RateLimit-Remaining", "0");
        res.set_header("Burst-RateLimit-Reset", std::to_string(UnixNow() + fault->retry_after_seconds));
        if (fault->send_retry_after) res.set_header("Retry-After", std::to_string(fault->retry_after_seconds));
        return SetError(res, 429, "Too many requests: burst rate limit exceeded");
      case FaultKind::kDropBefore:
        return drop();
      default:
        break;
    }
  }
  FakeAccountState state;
  {
    std::lock_guard lock(mu_);
    AccountData& account = accounts_.at(token);
    if (op == FaultOp::kRotate) RotateLocked(account);
    state = account.state;
  }
  spdlog::info("fake-qstash: {} for account {}{}", op_name, AccountLabel(token), fault ? " (fault injected)" : "");
  std::string body = nlohmann::json{{"current", state.current}, {"next", state.next}}.dump();
  if (!fault) return res.set_content(body, "application/json");
  switch (fault->kind) {
    case FaultKind::kDropAfter:
      return drop();
    case FaultKind::kLatency:
      std::this_thread::sleep_for(fault->latency);
      return res.set_content(body, "application/json");
    case FaultKind::kTruncated:
      res.set_content_provider(body.size(), "application/json",
                               [body](size_t, size_t, httplib::DataSink& sink) {
                                 sink.write(body.data(), body.size() / 2);
                                 return false;  // abort: the connection closes mid-body
                               });
      return;
    case FaultKind::kNonJson:
      return res.set_content("<html><body><h1>502 Bad Gateway</h1></body></html>", "text/html");
    case FaultKind::kWrongJson:
      return res.set_content(WrongJson(fault->variant, state), "application/json");
    default:
      return res.set_content(body, "application/json");
  }
}

void FakeQStash::RegisterApi() {
  server_->Get("/v2/keys", [this](const auto& req, auto& res) { HandleKeys(req, res, FaultOp::kGetKeys); });
  server_->Post("/v2/keys/rotate", [this](const auto& req, auto& res) { HandleKeys(req, res, FaultOp::kRotate); });
  server_->Post(R"(/v2/publish/(.+))", [this](const auto& req, auto& res) { HandlePublish(req, res); });
}

void FakeQStash::Start() {
  signal(SIGPIPE, SIG_IGN);  // writes to dropped connections must fail, not kill the process
  if (options_.plain_http) {
    server_ = std::make_unique<httplib::Server>();
  } else {
    tls_ = GenerateTlsMaterial("fake-qstash");
    BIO* cbio = BIO_new_mem_buf(tls_.server_cert_pem.data(), static_cast<int>(tls_.server_cert_pem.size()));
    BIO* kbio = BIO_new_mem_buf(tls_.server_key_pem.data(), static_cast<int>(tls_.server_key_pem.size()));
    X509* cert = PEM_read_bio_X509(cbio, nullptr, nullptr, nullptr);
    EVP_PKEY* key = PEM_read_bio_PrivateKey(kbio, nullptr, nullptr, nullptr);
    BIO_free(cbio);
    BIO_free(kbio);
    if (cert == nullptr || key == nullptr) throw std::runtime_error("fake-qstash: cannot load the TLS material");
    server_ = std::make_unique<httplib::SSLServer>(cert, key);  // the SSL_CTX keeps its own references
    X509_free(cert);
    EVP_PKEY_free(key);
  }
  if (!server_->is_valid()) throw std::runtime_error("fake-qstash: server setup failed");
  // Keep-alive as a public HTTPS front end does it (nginx keeps 1,000 requests per
  // connection), but idle connections are closed after 1 s: Stop() waits for them.
  server_->set_keep_alive_max_count(1000);
  server_->set_keep_alive_timeout(1);
  server_->set_tcp_nodelay(true);  // as real front ends: without it a keep-alive answer waits ~40 ms (Nagle)
  // A keep-alive connection holds a worker while it idles: enough of them for every client.
  server_->new_task_queue = [] { return new httplib::ThreadPool(64); };
  RegisterApi();
  RegisterControlApi();
  if (options_.port == 0) {
    port_ = server_->bind_to_any_port(options_.host);
  } else {
    port_ = server_->bind_to_port(options_.host, options_.port) ? options_.port : -1;
  }
  if (port_ <= 0) throw std::runtime_error("fake-qstash: cannot listen on " + options_.host);
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!server_->is_running()) {
    if (std::chrono::steady_clock::now() > deadline) throw std::runtime_error("fake-qstash: server did not start");
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

void FakeQStash::Stop() {
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace keyroll::fakes
