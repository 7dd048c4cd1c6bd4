// transport: HTTP/1.1 to one API server with keep-alive connections (a small pool, so
// several threads can make requests at once), verified TLS (CA from the config, client
// certificates), bearer tokens from Credentials (retry once after a 401 with a fresh
// credential), timeouts on every request, and dedicated streaming connections for watches.
// Creating a Transport sets SIGPIPE to ignored if it still has the default action (a write
// to a dropped TLS connection must be an error, not the end of the process).
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include <openssl/types.h>

#include "operator/kube/config.h"
#include "operator/kube/rate_limiter.h"
#include "operator/kube/credentials.h"
#include "operator/kube/result.h"

namespace httplib {
class ClientImpl;
}

namespace keyroll::kube {

struct HttpRequest {
  std::string method = "GET";
  std::string path;  // absolute path with an already-encoded query
  std::string body;
  std::string content_type;  // for bodies
  std::string accept = "application/json";
};

struct HttpResponse {
  int status = 0;
  std::string body;
  std::string retry_after;  // the Retry-After header, if any
};

inline constexpr std::chrono::seconds kMaxHonouredRetryAfter{5};
inline constexpr int kMaxRetryAfterRetries = 3;

struct TransportOptions {
  std::chrono::milliseconds connect_timeout{std::chrono::seconds(10)};
  std::chrono::milliseconds read_timeout{std::chrono::seconds(30)};
  size_t max_idle_connections = 8;
  std::chrono::milliseconds token_file_check{std::chrono::seconds(3)};
  // Client-side rate limit (rate_limiter.h): --kube-api-qps / --kube-api-burst. 0: none.
  double qps = 0;
  int burst = 0;
};

// Makes a running Transport::Stream return promptly from another thread.
class StreamCanceller {
 public:
  void Cancel();
  bool cancelled() const { return cancelled_.load(); }

 private:
  friend class Transport;
  std::mutex mu_;
  httplib::ClientImpl* active_ = nullptr;
  std::atomic<bool> cancelled_{false};
};

class Transport {
 public:
  // Fails on a malformed server URL or unusable TLS material (bad PEM).
  static Result<std::unique_ptr<Transport>> Create(const Config& config, TransportOptions options = {});
  ~Transport();

  // One request on a pooled keep-alive connection. Any HTTP status is a success here;
  // only network/TLS/credential failures are errors. A 429 (or a 5xx to a read) whose
  // Retry-After is at most kMaxHonouredRetryAfter is sent again after that wait, up to
  // kMaxRetryAfterRetries times, as client-go does: a throttling server is obeyed, not
  // turned into an error that doubles the caller's backoff.
  Result<HttpResponse> Do(const HttpRequest& request);

  // A streaming GET on its own connection. on_data gets body bytes as they arrive (return
  // false to stop). Returns the HTTP status once the body ended (cleanly or by
  // cancellation); for a non-2xx status the body is collected into *error_body instead.
  Result<int> Stream(const HttpRequest& request, std::chrono::milliseconds read_timeout,
                     StreamCanceller& canceller,
                     const std::function<bool(std::string_view)>& on_data,
                     std::string* error_body);

  Credentials& credentials() { return *credentials_; }
  const std::string& server() const { return server_; }

 private:
  struct Conn;
  Transport(const Config& config, TransportOptions options);
  Result<std::unique_ptr<httplib::ClientImpl>> NewClient(std::chrono::milliseconds read_timeout);
  Result<Conn> Acquire();
  void Release(Conn conn);
  void DropIdle();
  KubeError ErrorFor(int httplib_error, httplib::ClientImpl* client) const;
  Result<HttpResponse> DoAuthenticated(const HttpRequest& request);  // Do without Retry-After
  Result<HttpResponse> DoOnce(const HttpRequest& request, const std::string& token);

  const Config config_;
  const TransportOptions options_;
  std::unique_ptr<Credentials> credentials_;
  std::string server_;  // as configured, for messages
  bool https_ = true;
  std::string host_;
  int port_ = 443;
  std::string base_path_;  // a path prefix in the server URL (behind some proxies)
  // The CAs the server is verified against, parsed once and shared by every connection: the
  // kubeconfig's CA alone when it names one (not the system roots too, as client-go), else
  // the system roots. Null without a CA in the kubeconfig when nothing is verified (plain
  // HTTP, insecure-skip-tls-verify).
  X509_STORE* trust_ = nullptr;

  std::mutex pool_mu_;
  std::vector<Conn> idle_;
  RateLimiter limiter_;
};

}  // namespace keyroll::kube
