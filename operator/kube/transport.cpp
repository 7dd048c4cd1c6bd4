#include "operator/kube/transport.h"

#include "operator/base/pem.h"
#include "operator/kube/errors.h"

#include <signal.h>

#include <mutex>
#include <thread>

#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <httplib.h>
#include <spdlog/spdlog.h>

namespace keyroll::kube {

struct Transport::Conn {
  std::unique_ptr<httplib::ClientImpl> client;
  uint64_t cert_generation = 0;
  bool reused = false;
};

namespace {

// A directory under /dev/null can never exist: looking certificates up in it finds none.
constexpr const char* kNoCertificateDirectory = "/dev/null/keyroll-no-extra-certificates";

// Requests that are safe to send again after a connection failed mid-way.
bool Idempotent(const std::string& method) { return method == "GET" || method == "HEAD"; }

// The server asked to come back later and said when (client-go's checkWait): a 429 was not
// processed, whatever the method; a 5xx may have been, so only reads are sent again. Long
// waits are left to the caller's backoff, so a worker is never held for long.
std::optional<std::chrono::seconds> ServerAskedToWait(const HttpRequest& request, const HttpResponse& res) {
  if (res.status != 429 && !(res.status >= 500 && Idempotent(request.method))) return std::nullopt;
  auto wait = ParseSeconds(res.retry_after);
  if (!wait || *wait > kMaxHonouredRetryAfter) return std::nullopt;
  return wait;
}

}  // namespace

void StreamCanceller::Cancel() {
  std::lock_guard lock(mu_);
  cancelled_ = true;
  if (active_) active_->stop();  // shuts the socket down: a blocked read returns now
}

Transport::Transport(const Config& config, TransportOptions options)
    : config_(config), options_(options),
      credentials_(std::make_unique<Credentials>(config, options.token_file_check)),
      server_(config.server),
      limiter_(options.qps, options.burst) {}

Transport::~Transport() { X509_STORE_free(trust_); }  // connections hold their own references

Result<std::unique_ptr<Transport>> Transport::Create(const Config& config, TransportOptions options) {
  // Writing to a connection the server has dropped must be an error, not a SIGPIPE that
  // kills the process (TLS writes cannot pass MSG_NOSIGNAL). Only a default handler changes.
  static std::once_flag sigpipe_once;
  std::call_once(sigpipe_once, [] {
    struct sigaction current {};
    if (sigaction(SIGPIPE, nullptr, &current) == 0 && current.sa_handler == SIG_DFL) signal(SIGPIPE, SIG_IGN);
  });
  std::unique_ptr<Transport> t(new Transport(config, options));
  std::string rest;
  if (config.server.rfind("https://", 0) == 0) {
    rest = config.server.substr(8);
  } else if (config.server.rfind("http://", 0) == 0) {
    t->https_ = false;
    t->port_ = 80;
    rest = config.server.substr(7);
  } else {
    return ConfigError("server '" + config.server + "' is not an http(s) URL");
  }
  auto slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  if (slash != std::string::npos) t->base_path_ = rest.substr(slash);
  while (!t->base_path_.empty() && t->base_path_.back() == '/') t->base_path_.pop_back();
  std::string port_text;
  if (!authority.empty() && authority[0] == '[') {  // [ipv6]:port
    auto close = authority.find(']');
    if (close == std::string::npos) return ConfigError("server '" + config.server + "': bad IPv6 host");
    t->host_ = authority.substr(1, close - 1);
    if (close + 1 < authority.size() && authority[close + 1] == ':') port_text = authority.substr(close + 2);
  } else {
    auto colon = authority.rfind(':');
    t->host_ = authority.substr(0, colon);
    if (colon != std::string::npos) port_text = authority.substr(colon + 1);
  }
  if (t->host_.empty()) return ConfigError("server '" + config.server + "' has no host");
  if (!port_text.empty()) {
    try {
      t->port_ = std::stoi(port_text);
    } catch (...) {
      return ConfigError("server '" + config.server + "' has a bad port");
    }
  }
  // Check the TLS material once, up front, so a broken kubeconfig fails clearly.
  if (!config.ca_pem.empty()) {
    t->trust_ = X509_STORE_new();
    if (base::AddCertificatesFromPem(t->trust_, config.ca_pem) == 0) return ConfigError(config.source + ": the certificate authority is not PEM certificates");
  } else if (t->https_ && !config.insecure_skip_tls_verify) {
    t->trust_ = X509_STORE_new();  // no CA in the kubeconfig: the system roots, as client-go
    X509_STORE_set_default_paths(t->trust_);
    ERR_clear_error();
  }
  if (t->trust_ != nullptr) {
    // cpp-httplib adds the system default paths to any store it is given, unless it has a
    // file or directory of its own to load: give it one that cannot exist, looked up here once
    // so that every connection finds the lookup already in place (the store is shared).
    X509_STORE_load_path(t->trust_, kNoCertificateDirectory);
    ERR_clear_error();
  }
  if (!config.client_cert_pem.empty()) {
    if (!base::CertificateFromPem(config.client_cert_pem) || !base::PrivateKeyFromPem(config.client_key_pem))
      return ConfigError(config.source + ": the client certificate or key is not valid PEM");
  }
  if (config.insecure_skip_tls_verify && t->https_) {
    spdlog::warn("TLS verification of {} is disabled (insecure-skip-tls-verify)", config.server);
  }
  return t;
}

Result<std::unique_ptr<httplib::ClientImpl>> Transport::NewClient(std::chrono::milliseconds read_timeout) {
  std::unique_ptr<httplib::ClientImpl> client;
  if (https_) {
    auto cert = credentials_->Cert();
    if (!cert) return cert.error();
    std::unique_ptr<httplib::SSLClient> ssl;
    if (cert->has_value()) {
      base::X509Ptr c = base::CertificateFromPem((*cert)->cert_pem);
      base::PkeyPtr k = base::PrivateKeyFromPem((*cert)->key_pem);
      if (!c || !k) return ConfigError("the client certificate or key is not valid PEM");
      ssl = std::make_unique<httplib::SSLClient>(host_, port_, c.get(), k.get());  // the context takes references
    } else {
      ssl = std::make_unique<httplib::SSLClient>(host_, port_);
    }
    if (!ssl->is_valid()) return TlsError("cannot set up TLS for " + server_ + " (client certificate/key mismatch?)");
    if (trust_ != nullptr) {
      X509_STORE_up_ref(trust_);
      ssl->set_ca_cert_store(trust_);  // the SSL context takes this reference over
      ssl->set_ca_cert_path("", kNoCertificateDirectory);
    }
    ssl->enable_server_certificate_verification(!config_.insecure_skip_tls_verify);
    client = std::move(ssl);
  } else {
    client = std::make_unique<httplib::ClientImpl>(host_, port_);
  }
  client->set_keep_alive(true);
  client->set_tcp_nodelay(true);  // headers and body go in separate writes: no Nagle delay
  client->set_url_encode(false);  // paths are encoded by resource.cpp
  client->set_connection_timeout(options_.connect_timeout);
  client->set_read_timeout(read_timeout);
  client->set_write_timeout(options_.connect_timeout);
  return client;
}

Result<Transport::Conn> Transport::Acquire() {
  uint64_t gen = credentials_->cert_generation();
  {
    std::lock_guard lock(pool_mu_);
    while (!idle_.empty()) {
      Conn c = std::move(idle_.back());
      idle_.pop_back();
      if (c.cert_generation == gen) {
        c.reused = true;
        return c;
      }
    }
  }
  auto client = NewClient(options_.read_timeout);
  if (!client) return client.error();
  return Conn{std::move(*client), credentials_->cert_generation(), false};
}

void Transport::DropIdle() {
  std::lock_guard lock(pool_mu_);
  idle_.clear();
}

void Transport::Release(Conn conn) {
  std::lock_guard lock(pool_mu_);
  if (idle_.size() < options_.max_idle_connections &&
      conn.cert_generation == credentials_->cert_generation()) {
    idle_.push_back(std::move(conn));
  }
}

KubeError Transport::ErrorFor(int httplib_error, httplib::ClientImpl* client) const {
  auto err = static_cast<httplib::Error>(httplib_error);
  switch (err) {
    case httplib::Error::Connection:
      return NetworkError("cannot connect to " + server_ + ": connection refused or host unreachable");
    case httplib::Error::ConnectionTimeout:
      return NetworkError("cannot connect to " + server_ + ": connection timed out");
    case httplib::Error::Read:
      return NetworkError("connection to " + server_ + " lost while reading the response (closed, reset or read timeout)");
    case httplib::Error::Write:
      return NetworkError("connection to " + server_ + " lost while sending the request");
    case httplib::Error::Canceled:
      return NetworkError("request to " + server_ + " was cancelled");
    case httplib::Error::SSLServerVerification: {
      long code = https_ ? static_cast<httplib::SSLClient*>(client)->get_openssl_verify_result() : 0;
      if (code == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY || code == X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN ||
          code == X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT || code == X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE) {
        return TlsError("TLS verification of " + server_ + " failed: certificate signed by unknown authority (" +
                        X509_verify_cert_error_string(code) + "); check certificate-authority in the kubeconfig");
      }
      if (code != X509_V_OK) {
        return TlsError("TLS verification of " + server_ + " failed: " + X509_verify_cert_error_string(code));
      }
      return TlsError("TLS verification of " + server_ + " failed: the certificate is not valid for host " + host_);
    }
    case httplib::Error::SSLConnection:
      return TlsError("TLS handshake with " + server_ +
                      " failed (does the server speak TLS? was the client certificate rejected?)");
    case httplib::Error::SSLLoadingCerts:
      return TlsError("cannot load the certificate authority for " + server_);
    default:
      return NetworkError("request to " + server_ + " failed: " + httplib::to_string(err));
  }
}

Result<HttpResponse> Transport::DoOnce(const HttpRequest& request, const std::string& token) {
  for (int attempt = 0;; ++attempt) {
    auto conn = Acquire();
    if (!conn) return conn.error();
    httplib::Request req;
    req.method = request.method;
    req.path = base_path_ + request.path;
    req.headers.emplace("Accept", request.accept);
    if (!token.empty()) req.headers.emplace("Authorization", "Bearer " + token);
    if (!config_.user_agent.empty()) req.headers.emplace("User-Agent", config_.user_agent);
    if (!request.body.empty() || request.method != "GET") {
      req.body = request.body;
      if (!request.content_type.empty()) req.headers.emplace("Content-Type", request.content_type);
    }
    auto res = conn->client->send(req);
    if (!res) {
      auto code = static_cast<int>(res.error());
      // A pooled connection the server had already closed: try once more on a new one
      // when nothing can have happened twice.
      bool retry = conn->reused && attempt == 0 &&
                   (res.error() == httplib::Error::Write || Idempotent(request.method));
      KubeError e = ErrorFor(code, conn->client.get());
      if (retry) {
        // The other idle connections are as old and as likely closed (a load balancer's idle
        // timeout closes them all): the retry goes on a new one, not on the next stale one.
        DropIdle();
        continue;
      }
      spdlog::debug("{} {} -> {}", request.method, request.path, e.message);
      return e;
    }
    HttpResponse out{res->status, std::move(res->body), res->get_header_value("Retry-After")};
    bool keep = res->get_header_value("Connection") != "close";
    spdlog::debug("{} {} -> {}", request.method, request.path, out.status);
    if (keep) Release(std::move(*conn));
    return out;
  }
}

Result<HttpResponse> Transport::Do(const HttpRequest& request) {
  for (int retry = 0;; ++retry) {
    limiter_.Wait();  // every attempt takes a token, as client-go's request retries do
    auto res = DoAuthenticated(request);
    if (!res || retry == kMaxRetryAfterRetries) return res;
    auto wait = ServerAskedToWait(request, *res);
    if (!wait) return res;
    spdlog::debug("{} {} -> {}: retrying in {} s as the server asked", request.method, request.path,
                  res->status, wait->count());
    std::this_thread::sleep_for(*wait);
  }
}

Result<HttpResponse> Transport::DoAuthenticated(const HttpRequest& request) {
  auto token = credentials_->Token();
  if (!token) return token.error();
  auto res = DoOnce(request, *token);
  if (res && res->status == 401 && credentials_->RefreshAfterUnauthorized()) {
    auto fresh = credentials_->Token();
    if (!fresh) return fresh.error();
    spdlog::info("401 from {}: retrying once with refreshed credentials", server_);
    return DoOnce(request, *fresh);
  }
  return res;
}

Result<int> Transport::Stream(const HttpRequest& request, std::chrono::milliseconds read_timeout,
                              StreamCanceller& canceller,
                              const std::function<bool(std::string_view)>& on_data,
                              std::string* error_body) {
  limiter_.Wait();
  auto token = credentials_->Token();
  if (!token) return token.error();
  auto client = NewClient(read_timeout);
  if (!client) return client.error();
  {
    std::lock_guard lock(canceller.mu_);
    if (canceller.cancelled()) return NetworkError("watch cancelled");
    canceller.active_ = client->get();
  }
  int status = 0;
  httplib::Request req;
  req.method = "GET";
  req.path = base_path_ + request.path;
  req.headers.emplace("Accept", request.accept);
  if (!token->empty()) req.headers.emplace("Authorization", "Bearer " + *token);
  if (!config_.user_agent.empty()) req.headers.emplace("User-Agent", config_.user_agent);
  req.response_handler = [&](const httplib::Response& r) {
    status = r.status;
    return true;
  };
  req.content_receiver = [&](const char* data, size_t n, uint64_t, uint64_t) {
    if (canceller.cancelled()) return false;
    if (status < 200 || status > 299) {
      if (error_body && error_body->size() < (1 << 16)) error_body->append(data, n);
      return true;
    }
    return on_data(std::string_view(data, n));
  };
  auto res = (*client)->send(req);
  {
    std::lock_guard lock(canceller.mu_);
    canceller.active_ = nullptr;
  }
  spdlog::debug("WATCH {} -> {}", request.path, status);
  if (status == 401) credentials_->RefreshAfterUnauthorized();
  if (!res) {
    if (canceller.cancelled()) return NetworkError("watch cancelled");
    // The body was cut (dropped connection, read timeout) after a good start: the
    // caller re-watches from its last resourceVersion.
    return ErrorFor(static_cast<int>(res.error()), client->get());
  }
  return status;
}

}  // namespace keyroll::kube
