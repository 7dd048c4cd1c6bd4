#include "operator/http/http_listener.h"

#include <sys/socket.h>

#include <chrono>

#include <httplib.h>

namespace keyroll::http {

HttpListener::HttpListener() : server_(std::make_unique<httplib::Server>()) {
  // Scrapes and probes are small and rare: two threads are plenty.
  server_->new_task_queue = [] { return new httplib::ThreadPool(2); };
  server_->set_read_timeout(std::chrono::seconds(10));
  server_->set_write_timeout(std::chrono::seconds(10));
  server_->set_keep_alive_timeout(5);
  // cpp-httplib also sets SO_REUSEPORT, which would let a second process share the port
  // silently; a busy port must be an error instead.
  server_->set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
}

HttpListener::~HttpListener() { Stop(); }

bool HttpListener::Start(const BindAddress& address, std::string* error) {
  if (address.disabled) return true;
  if (running()) {
    *error = "already serving on port " + std::to_string(port_);
    return false;
  }
  int port = address.port;
  if (port == 0) {
    port = server_->bind_to_any_port(address.host);
    if (port < 0) port = 0;
  } else if (!server_->bind_to_port(address.host, port)) {
    port = 0;
  }
  if (port == 0) {
    *error = "cannot listen on " + address.ToString();
    return false;
  }
  port_ = port;
  exited_ = false;
  thread_ = std::thread([this] {
    server_->listen_after_bind();
    exited_ = true;
  });
  // stop() only works once the accept loop runs; wait for it so Stop() never hangs.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!server_->is_running() && !exited_ && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

void HttpListener::Stop() {
  if (!thread_.joinable()) return;
  server_->stop();
  thread_.join();
  port_ = 0;
}

}  // namespace keyroll::http
