// http_listener: one cpp-httplib server on its own thread, started on a BindAddress and
// stopped (thread joined) cleanly. The metrics and probe servers are built on it.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "operator/http/bind_address.h"

namespace httplib {
class Server;
}

namespace keyroll::http {

class HttpListener {
 public:
  HttpListener();
  ~HttpListener();  // Stop()
  HttpListener(const HttpListener&) = delete;
  HttpListener& operator=(const HttpListener&) = delete;

  // Register routes on server() before Start().
  httplib::Server& server() { return *server_; }

  // Binds and starts serving. Port 0 picks a free port (see port()). A disabled address
  // starts nothing and succeeds. Returns false with *error when the address cannot be bound.
  bool Start(const BindAddress& address, std::string* error);
  void Stop();
  bool running() const { return thread_.joinable(); }
  int port() const { return port_; }  // the bound port (0 when not running)

 private:
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  std::atomic<bool> exited_{false};  // the serving thread has returned
  int port_ = 0;
};

}  // namespace keyroll::http
