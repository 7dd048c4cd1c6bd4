// black_hole: an endpoint that accepts TCP connections and never says anything — a TLS
// client's ClientHello goes unanswered, so its handshake never completes (a proxy that
// black-holes, a region in an outage). The provider fakes open one on request (see
// provider_fake_server.h) so that a test can point one account's URL at it.
#pragma once

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace keyroll::fakes {

class BlackHole {
 public:
  BlackHole() = default;
  ~BlackHole();  // Stop()
  BlackHole(const BlackHole&) = delete;
  BlackHole& operator=(const BlackHole&) = delete;

  // Listens on host (any free port); returns the port. Throws std::runtime_error.
  int Start(const std::string& host);
  // Closes the listener and every connection it holds; returns within ~50 ms.
  void Stop();
  int port() const { return port_; }
  size_t held() const;

 private:
  void Run();

  int listener_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
  mutable std::mutex mu_;
  std::vector<int> held_;
};

}  // namespace keyroll::fakes
