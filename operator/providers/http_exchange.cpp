// http_exchange.cpp — see http_exchange.h.
#include "operator/providers/http_exchange.h"

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <vector>


namespace keyroll::providers {
namespace {

using Clock = std::chrono::steady_clock;
using ClientPtr = std::unique_ptr<httplib::ClientImpl>;

// Idle connections are dropped well before common servers' keep-alive timeouts (cpp-httplib
// 5 s, nginx 75 s, Cloudflare 400 s), so a reused one is rarely closed under us.
constexpr auto kMaxIdleAge = std::chrono::seconds(4);
constexpr size_t kMaxIdlePerEndpoint = 8;  // about the number of workers that read at once
constexpr size_t kMaxEndpoints = 64;       // beyond that, old idle connections are swept

std::atomic<int> connections_opened{0};

class Pool {
 public:
  ClientPtr Take(const std::string& endpoint) {
    std::lock_guard lock(mu_);
    auto it = idle_.find(endpoint);
    if (it == idle_.end()) return nullptr;
    auto& list = it->second;
    while (!list.empty()) {
      Idle c = std::move(list.back());
      list.pop_back();
      if (Clock::now() - c.since < kMaxIdleAge) return std::move(c.client);
    }
    idle_.erase(it);
    return nullptr;
  }

  void Give(const std::string& endpoint, ClientPtr client) {
    std::lock_guard lock(mu_);
    if (idle_.size() >= kMaxEndpoints && !idle_.count(endpoint)) SweepLocked();
    if (idle_.size() >= kMaxEndpoints && !idle_.count(endpoint)) return;
    auto& list = idle_[endpoint];
    if (list.size() < kMaxIdlePerEndpoint) list.push_back({std::move(client), Clock::now()});
  }

  void Clear() {
    std::lock_guard lock(mu_);
    idle_.clear();
  }

 private:
  struct Idle {
    ClientPtr client;
    Clock::time_point since;
  };
  void SweepLocked() {
    for (auto it = idle_.begin(); it != idle_.end();) {
      auto& list = it->second;
      std::erase_if(list, [](const Idle& c) { return Clock::now() - c.since >= kMaxIdleAge; });
      it = list.empty() ? idle_.erase(it) : std::next(it);
    }
  }
  std::mutex mu_;
  std::map<std::string, std::vector<Idle>> idle_;
};

Pool& SharedPool() {
  static Pool* pool = new Pool();  // never destroyed: workers may still be using it at exit
  return *pool;
}

httplib::Request ToRequest(const HttpCall& call) {
  httplib::Request req;
  req.method = call.method;
  req.path = call.path;
  req.headers = call.headers;
  req.body = call.body;
  if (!call.content_type.empty()) req.headers.emplace("Content-Type", call.content_type);
  return req;
}

HttpAnswer Send(httplib::ClientImpl& client, const HttpCall& call) {
  HttpAnswer a;
  auto res = client.send(ToRequest(call));
  if (res) {
    a.status = res->status;
    a.body = std::move(res->body);
    a.headers = res->headers;
  } else {
    a.error = res.error();
    if (auto* ssl = dynamic_cast<httplib::SSLClient*>(&client)) a.verify_result = ssl->get_openssl_verify_result();
  }
  return a;
}

bool ServerKeepsConnection(const HttpAnswer& a) {
  if (a.status == 0) return false;
  auto it = a.headers.find("Connection");  // case-insensitive in httplib
  return it == a.headers.end() || it->second != "close";
}

}  // namespace

Result<HttpAnswer> Exchange(const BaseUrl& url, const TlsOptions& tls, const HttpTimeouts& timeouts,
                            const HttpCall& call) {
  auto pem = CustomCaPem(tls);
  if (!pem) return pem.error();
  if (call.method != "GET") {
    auto fresh = MakeHttpClient(url, *pem, timeouts, false);
    if (!fresh) return fresh.error();
    ++connections_opened;
    return Send(**fresh, call);
  }
  // The trusted CAs are part of the endpoint: a connection verified against one bundle is
  // never lent to a client that trusts another.
  const std::string endpoint = TrustedEndpoint(url, *pem) + "\n" + std::to_string(timeouts.connect.count()) +
                               "/" + std::to_string(timeouts.read.count());
  if (ClientPtr pooled = SharedPool().Take(endpoint)) {
    const auto started = Clock::now();
    HttpAnswer a = Send(*pooled, call);
    if (a.status != 0 && ServerKeepsConnection(a)) SharedPool().Give(endpoint, std::move(pooled));
    // A connection the server closed under us fails at once: ask again on a new one. A
    // slow failure (a timeout) is the answer, not a stale connection: it is not doubled.
    const bool closed_under_us = (a.error == httplib::Error::Write || a.error == httplib::Error::Read) &&
                                 Clock::now() - started < std::chrono::seconds(1);
    if (!closed_under_us) return a;
  }
  auto fresh = MakeHttpClient(url, *pem, timeouts, true);
  if (!fresh) return fresh.error();
  ++connections_opened;
  HttpAnswer a = Send(**fresh, call);
  if (ServerKeepsConnection(a)) SharedPool().Give(endpoint, std::move(*fresh));
  return a;
}

void CloseIdleProviderConnections() { SharedPool().Clear(); }

int ProviderConnectionsOpened() { return connections_opened.load(); }

}  // namespace keyroll::providers
