#include "tests/fakes/qstash/fake_qstash.h"

#include <httplib.h>
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>
#include <stdexcept>

#include "operator/base/crypto.h"
#include "operator/base/encoding.h"
#include "tests/fakes/common/secrets_ledger.h"

namespace keyroll::fakes {
namespace {


constexpr char kBase58[] = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

std::int64_t UnixNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A short, harmless label for an account in logs: never the token itself.
std::string AccountLabel(const std::string& token) {
  return base::HexLower(base::Sha256(token)).substr(0, 8);
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

namespace {

ProviderFakeOptions BaseOptions(const FakeQStashOptions& o) {
  return {"fake-qstash", o.host, o.port, o.plain_http,
          o.admin_token.empty() ? "fake-admin-" + base::HexLower(base::RandomBytes(16)) : o.admin_token, "current-number",
          [](httplib::Response& res, int status, const std::string& message) { SetError(res, status, message); }};
}

}  // namespace

FakeQStash::FakeQStash(FakeQStashOptions options) : options_(std::move(options)), base_(BaseOptions(options_)) {
  RecordIssuedSecrets({base_.admin_token()});
  rate_limit_ = options_.rate_limit_per_second;
}

FakeQStash::~FakeQStash() {
  Stop();
}

std::string FakeQStash::NewSigningKey() {
  std::string key = "sig_";
  while (key.size() < 4 + 28) {
    for (unsigned char b : base::RandomBytes(32)) {
      if (b >= 232 || key.size() == 4 + 28) continue;  // 232 = 4 * 58: no modulo bias
      key.push_back(kBase58[b % 58]);
    }
  }
  return key;
}

std::string FakeQStash::NewToken() {
  // Shaped like a real QStash token: base64 of a small JSON document.
  nlohmann::json doc = {{"UserID", base::HexLower(base::RandomBytes(16))}, {"Password", base::HexLower(base::RandomBytes(16))}};
  return base::Base64UrlEncode(doc.dump(), true);
}

std::string FakeQStash::CreateAccount(const std::string& token, const std::string& current, const std::string& next) {
  std::string t = token.empty() ? NewToken() : token;
  AccountData data;
  data.state.current = current.empty() ? NewSigningKey() : current;
  data.state.next = next.empty() ? NewSigningKey() : next;
  std::lock_guard lock(mu_);
  issued_.insert(issued_.end(), {t, data.state.current, data.state.next});
  RecordIssuedSecrets({t});  // when issued: a killed fake loses nothing
  RecordIssuedSecrets({data.state.current, data.state.next}, "key", CredentialAccountId(t));
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

void FakeQStash::RotateLocked(const std::string& token, AccountData& account) {
  account.state.current = account.state.next;
  account.state.next = NewSigningKey();
  issued_.push_back(account.state.next);
  RecordIssuedSecrets({account.state.next}, "key", CredentialAccountId(token));
  ++account.state.rotations;
}

bool FakeQStash::ConsoleRotate(const std::string& token) {
  std::lock_guard lock(mu_);
  auto it = accounts_.find(token);
  if (it == accounts_.end()) return false;
  RotateLocked(token, it->second);
  spdlog::debug("fake-qstash: account {} rotated in the console", AccountLabel(token));
  return true;
}

std::vector<std::string> FakeQStash::AllSecrets() const {
  std::lock_guard lock(mu_);
  auto out = issued_;
  out.push_back(base_.admin_token());
  return out;
}

void FakeQStash::SetRateLimit(int per_second) {
  std::lock_guard lock(mu_);
  rate_limit_ = per_second;
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
  std::optional<Fault> fault = base_.faults().Take(op, token);
  auto drop = [&] { ProviderFakeServer::Drop(req); };
  if (ProviderFakeServer::HangOrDropBefore(fault, req)) return;
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
      default:
        break;
    }
  }
  FakeAccountState state;
  {
    std::lock_guard lock(mu_);
    AccountData& account = accounts_.at(token);
    if (op == FaultOp::kRotate) RotateLocked(token, account);
    state = account.state;
  }
  spdlog::debug("fake-qstash: {} for account {}{}", op_name, AccountLabel(token), fault ? " (fault injected)" : "");
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

void FakeQStash::RegisterApi(httplib::Server& server) {
  server.Get("/v2/keys", [this](const auto& req, auto& res) { HandleKeys(req, res, FaultOp::kGetKeys); });
  server.Post("/v2/keys/rotate", [this](const auto& req, auto& res) { HandleKeys(req, res, FaultOp::kRotate); });
  server.Post(R"(/v2/publish/(.+))", [this](const auto& req, auto& res) { HandlePublish(req, res); });
}

void FakeQStash::Start() {
  base_.Start([this](httplib::Server& server) {
    RegisterApi(server);
    RegisterControlApi(server);
  });
}

void FakeQStash::Stop() { base_.Stop(); }

}  // namespace keyroll::fakes
