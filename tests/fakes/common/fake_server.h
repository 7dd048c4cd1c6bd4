// fake_server: the HTTP(S) server every fake runs on — cpp-httplib's routing and request
// handling, with connection handling of its own so that no client can hold the fake hostage:
//   - a fixed pool of workers and a bounded queue of accepted connections; a connection that
//     finds the queue full is closed at once (refused), never queued without limit;
//   - a TLS handshake deadline (a client that connects and sends nothing, or stops
//     mid-handshake, is dropped after `handshake_timeout`);
//   - under pressure (every worker busy and connections waiting for one), a connection that
//     is silent or stalls (before its first request, mid-handshake, or idle between
//     requests) is closed after a short grace. Only then: with a worker free the fake serves
//     whatever a real API server would — twenty watches opened at once on a loaded machine
//     are all served (integration FakeKubeTest.ManyWatchesAtOnce, once refused one);
//   - bounded keep-alive: idle connections close after `keep_alive_timeout`;
//   - Stop() closes queued connections without serving them, ends keep-alive waits at once
//     and returns within about a second whatever the clients do.
// A handler can park its connection (ParkConnection): the client sees a connection that was
// accepted and never answers, and the worker is free again (the "hung" fault).
#pragma once

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tests/fakes/common/tls_cert.h"

namespace keyroll::fakes {

struct FakeServerOptions {
  const TlsMaterial* tls = nullptr;  // null: plain HTTP; else must outlive the server
  size_t workers = 64;
  size_t max_queued = 64;  // accepted connections waiting for a worker; beyond: refused
  // kube-apiserver's is 32 s (ReadHeaderTimeout); a loaded 2-core machine can take over a
  // second to complete a handshake, so the old 1 s dropped real clients.
  std::chrono::milliseconds handshake_timeout{10000};
  std::chrono::milliseconds keep_alive_timeout{1000};
  size_t keep_alive_max_count = 1000;  // requests per connection (nginx's default)
  std::chrono::milliseconds read_timeout{5000};   // within one request
  std::chrono::milliseconds write_timeout{5000};
  size_t max_parked = 4096;  // parked (hung) connections kept open at once
};

class FakeServer : public httplib::Server {
 public:
  explicit FakeServer(FakeServerOptions options);
  ~FakeServer() override;
  FakeServer(const FakeServer&) = delete;
  FakeServer& operator=(const FakeServer&) = delete;

  bool is_valid() const override;
  // Binds host:port (0: any free port) and serves on a background thread; returns the port.
  // Throws std::runtime_error (what names `name`).
  int Serve(const std::string& name, const std::string& host, int port);
  // Idempotent; see above. Parked connections are closed too.
  void Stop();

  int port() const { return port_; }
  size_t parked() const;          // connections parked and still open
  size_t refused() const { return refused_.load(); }

  // Called from a request handler: this connection is never answered (whatever the handler
  // puts in the response is discarded) and stays open until the client gives up or the
  // server stops. No-op outside a handler of a FakeServer.
  static void ParkConnection();

  // Internal, for the worker pool.
  bool stopping() const { return stopping_.load(); }
  void CountRefused() { ++refused_; }

 private:
  bool process_and_close_socket(socket_t sock) override;
  void Park(int fd);
  void CloseParked();

  FakeServerOptions options_;
  SSL_CTX* ctx_ = nullptr;
  std::thread thread_;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<size_t> refused_{0};
  std::atomic<size_t> waiting_{0};  // connections queued for a worker
  std::atomic<size_t> busy_{0};     // workers serving a connection
  // Every worker busy and connections waiting for one.
  bool UnderPressure() const { return waiting_ > 0 && busy_ >= options_.workers; }
  mutable std::mutex parked_mu_;
  std::vector<int> parked_;
  std::chrono::steady_clock::time_point parked_swept_;  // when gone clients were last looked for
  friend class BoundedWorkers;
};

}  // namespace keyroll::fakes
