// fake_server.cpp — see fake_server.h.
#include "tests/fakes/common/fake_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <condition_variable>
#include <deque>
#include <stdexcept>

#include "operator/base/pem.h"

namespace keyroll::fakes {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// Set on the listener thread while it closes a connection the queue has no room for, and on
// a worker that drains the queue after Stop(): process_and_close_socket only closes then.
thread_local bool t_refuse = false;
// The connection the current worker serves (for ParkConnection).
thread_local bool* t_park = nullptr;

// A connection idle this long is closed while others wait for a worker.
constexpr milliseconds kPressureGrace{100};
constexpr milliseconds kPollSlice{20};

void CloseNow(int fd) {
  linger l{1, 0};  // a reset, not a graceful close: the client learns at once
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
  close(fd);
}

void SetIoTimeouts(int fd, milliseconds read, milliseconds write) {
  auto tv = [](milliseconds d) {
    timeval t{};
    t.tv_sec = static_cast<time_t>(d.count() / 1000);
    t.tv_usec = static_cast<suseconds_t>((d.count() % 1000) * 1000);
    return t;
  };
  timeval r = tv(read), w = tv(write);
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &r, sizeof r);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &w, sizeof w);
}

int PollFor(int fd, short events, milliseconds timeout) {
  pollfd p{fd, events, 0};
  int n = poll(&p, 1, static_cast<int>(timeout.count()));
  if (n > 0 && (p.revents & (POLLERR | POLLNVAL))) return -1;
  return n;
}

void Address(int fd, bool peer, std::string& ip, int& port) {
  sockaddr_storage sa{};
  socklen_t len = sizeof sa;
  int rc = peer ? getpeername(fd, reinterpret_cast<sockaddr*>(&sa), &len)
                : getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len);
  if (rc != 0) return;
  char buf[INET6_ADDRSTRLEN] = {};
  if (sa.ss_family == AF_INET) {
    auto* in = reinterpret_cast<sockaddr_in*>(&sa);
    inet_ntop(AF_INET, &in->sin_addr, buf, sizeof buf);
    port = ntohs(in->sin_port);
  } else if (sa.ss_family == AF_INET6) {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&sa);
    inet_ntop(AF_INET6, &in6->sin6_addr, buf, sizeof buf);
    port = ntohs(in6->sin6_port);
  }
  ip = buf;
}

// One accepted connection as httplib's request parser sees it (TLS or plain).
class ConnectionStream : public httplib::Stream {
 public:
  ConnectionStream(int fd, SSL* ssl, const FakeServerOptions& o, const bool& parked)
      : fd_(fd), ssl_(ssl), options_(o), parked_(parked) {}

  bool is_readable() const override {
    if (ssl_ && SSL_pending(ssl_) > 0) return true;
    return PollFor(fd_, POLLIN, options_.read_timeout) > 0;
  }
  bool is_writable() const override {
    if (PollFor(fd_, POLLOUT, options_.write_timeout) <= 0) return false;
    // Still connected? (A readable socket with nothing to read was closed by the peer.)
    if (PollFor(fd_, POLLIN, milliseconds(0)) == 0) return true;
    char c;
    return recv(fd_, &c, 1, MSG_PEEK | MSG_DONTWAIT) > 0;
  }
  ssize_t read(char* ptr, size_t size) override {
    if (!is_readable()) return -1;
    if (!ssl_) return recv(fd_, ptr, size, 0);
    int n = SSL_read(ssl_, ptr, static_cast<int>(std::min<size_t>(size, 1 << 30)));
    return n > 0 ? n : -1;
  }
  ssize_t write(const char* ptr, size_t size) override {
    if (parked_) return static_cast<ssize_t>(size);  // a parked connection is never answered
    if (PollFor(fd_, POLLOUT, options_.write_timeout) <= 0) return -1;
    if (!ssl_) return send(fd_, ptr, size, MSG_NOSIGNAL);
    int n = SSL_write(ssl_, ptr, static_cast<int>(std::min<size_t>(size, 1 << 30)));
    return n > 0 ? n : -1;
  }
  void get_remote_ip_and_port(std::string& ip, int& port) const override { Address(fd_, true, ip, port); }
  void get_local_ip_and_port(std::string& ip, int& port) const override { Address(fd_, false, ip, port); }
  socket_t socket() const override { return fd_; }

 private:
  int fd_;
  SSL* ssl_;
  const FakeServerOptions& options_;
  const bool& parked_;
};

SSL_CTX* NewContext(const TlsMaterial& tls) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  if (!ctx) return nullptr;
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_SESSION_RESUMPTION_ON_RENEGOTIATION);
  base::X509Ptr cert = base::CertificateFromPem(tls.server_cert_pem);
  base::PkeyPtr key = base::PrivateKeyFromPem(tls.server_key_pem);
  bool ok = cert && key && SSL_CTX_use_certificate(ctx, cert.get()) == 1 &&
            SSL_CTX_use_PrivateKey(ctx, key.get()) == 1 && SSL_CTX_check_private_key(ctx) == 1;
  if (!ok) {
    SSL_CTX_free(ctx);
    return nullptr;
  }
  return ctx;
}

}  // namespace

// Workers with a bounded queue (see fake_server.h). httplib hands over an accepted socket as
// a closure that calls process_and_close_socket; a closure that finds no room runs at once
// on the listener thread with t_refuse set, which closes the socket.
class BoundedWorkers : public httplib::TaskQueue {
 public:
  BoundedWorkers(FakeServer& server, size_t workers, size_t max_queued) : server_(server), max_queued_(max_queued) {
    for (size_t i = 0; i < workers; ++i) threads_.emplace_back([this] { Run(); });
  }
  ~BoundedWorkers() override = default;

  void enqueue(std::function<void()> fn) override {
    {
      std::lock_guard lock(mu_);
      if (!shutdown_ && jobs_.size() < max_queued_) {
        jobs_.push_back(std::move(fn));
        ++server_.waiting_;
        cv_.notify_one();
        return;
      }
    }
    server_.CountRefused();
    t_refuse = true;
    fn();
    t_refuse = false;
  }

  void shutdown() override {
    {
      std::lock_guard lock(mu_);
      shutdown_ = true;
    }
    cv_.notify_all();
    for (auto& t : threads_) t.join();
  }

 private:
  void Run() {
    for (;;) {
      std::function<void()> fn;
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] { return shutdown_ || !jobs_.empty(); });
        if (jobs_.empty()) return;
        fn = std::move(jobs_.front());
        jobs_.pop_front();
        --server_.waiting_;
      }
      t_refuse = server_.stopping();  // queued when Stop() came: closed, not served
      ++server_.busy_;
      fn();
      --server_.busy_;
      t_refuse = false;
    }
  }

  FakeServer& server_;
  size_t max_queued_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;
  bool shutdown_ = false;
  std::vector<std::thread> threads_;
};

FakeServer::FakeServer(FakeServerOptions options) : options_(std::move(options)) {
  if (options_.tls) ctx_ = NewContext(*options_.tls);
  // httplib's own timeouts apply to what its request parser waits for; ours are the socket's.
  set_read_timeout(std::chrono::duration_cast<std::chrono::seconds>(options_.read_timeout).count());
  set_write_timeout(std::chrono::duration_cast<std::chrono::seconds>(options_.write_timeout).count());
  set_keep_alive_max_count(options_.keep_alive_max_count);
  set_keep_alive_timeout(std::max<time_t>(1, std::chrono::duration_cast<std::chrono::seconds>(options_.keep_alive_timeout).count()));  // the Keep-Alive header
  set_tcp_nodelay(true);  // as real front ends: without it a keep-alive answer waits ~40 ms (Nagle)
  size_t workers = options_.workers, queued = options_.max_queued;
  new_task_queue = [this, workers, queued] { return new BoundedWorkers(*this, workers, queued); };
}

FakeServer::~FakeServer() {
  Stop();
  if (ctx_) SSL_CTX_free(ctx_);
}

bool FakeServer::is_valid() const { return options_.tls == nullptr || ctx_ != nullptr; }

int FakeServer::Serve(const std::string& name, const std::string& host, int port) {
  signal(SIGPIPE, SIG_IGN);  // writes to dropped connections must fail, not kill the process
  if (!is_valid()) throw std::runtime_error(name + ": cannot load the TLS material");
  port_ = port == 0 ? bind_to_any_port(host) : (bind_to_port(host, port) ? port : -1);
  if (port_ <= 0) throw std::runtime_error(name + ": cannot listen on " + host + ":" + std::to_string(port));
  // httplib listens with a backlog of 5: a burst of connects would wait for SYN retransmits
  // (1 s, 3 s, ...) before the accept loop sees them. Linux takes a second listen() as a
  // new backlog.
  ::listen(svr_sock_, 1024);
  thread_ = std::thread([this] { listen_after_bind(); });
  auto deadline = Clock::now() + std::chrono::seconds(10);
  while (!is_running()) {
    if (Clock::now() > deadline) throw std::runtime_error(name + ": server did not start");
    std::this_thread::sleep_for(milliseconds(2));
  }
  return port_;
}

void FakeServer::Stop() {
  stopping_ = true;
  stop();
  if (thread_.joinable()) thread_.join();
  CloseParked();
}

size_t FakeServer::parked() const {
  std::lock_guard lock(parked_mu_);
  return parked_.size();
}

void FakeServer::ParkConnection() {
  if (t_park) *t_park = true;
}

void FakeServer::Park(int fd) {
  std::lock_guard lock(parked_mu_);
  // Forget the parked connections whose clients gave up: once a second, or when the room is
  // needed. A look at every park was one poll() per parked connection, O(n^2) with 1,000
  // hung accounts: 14 % of the bench's CPU in bench_scale --hung-percent 10.
  const auto now = std::chrono::steady_clock::now();
  if (parked_.size() >= options_.max_parked || now - parked_swept_ >= std::chrono::seconds(1)) {
    parked_swept_ = now;
    std::erase_if(parked_, [](int p) {
      pollfd q{p, POLLRDHUP, 0};
      if (poll(&q, 1, 0) > 0 && (q.revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL))) {
        close(p);
        return true;
      }
      return false;
    });
  }
  if (stopping_ || parked_.size() >= options_.max_parked) return CloseNow(fd);
  parked_.push_back(fd);
}

void FakeServer::CloseParked() {
  std::lock_guard lock(parked_mu_);
  for (int fd : parked_) CloseNow(fd);
  parked_.clear();
}

bool FakeServer::process_and_close_socket(socket_t sock) {
  if (t_refuse || stopping_) {
    CloseNow(sock);
    return false;
  }
  const auto accepted = Clock::now();
  SetIoTimeouts(sock, options_.read_timeout, options_.write_timeout);
  // Waits for the client's next bytes; false when it stays silent past `limit`, the server
  // stops, or others wait for a worker and this one has been idle for the grace period.
  auto await = [&](SSL* ssl, milliseconds limit) {
    const auto start = Clock::now();
    for (;;) {
      if (ssl && SSL_pending(ssl) > 0) return true;
      int n = PollFor(sock, POLLIN, kPollSlice);
      if (n != 0) return n > 0;
      auto idle = Clock::now() - start;
      if (stopping_ || idle >= limit || (UnderPressure() && idle >= kPressureGrace)) return false;
    }
  };
  SSL* ssl = nullptr;
  if (ctx_) {
    if (!await(nullptr, options_.handshake_timeout) || !(ssl = SSL_new(ctx_))) {
      CloseNow(sock);
      return false;
    }
    SSL_set_fd(ssl, sock);
    // Non-blocking handshake, so that its deadline covers every step.
    int flags = fcntl(sock, F_GETFL, 0);
    fcntl(sock, F_SETFL, flags | O_NONBLOCK);
    bool done = false;
    auto progressed = Clock::now();  // the client's last bytes (a stalled handshake gives way under pressure)
    for (;;) {
      int rc = SSL_accept(ssl);
      if (rc == 1) {
        done = true;
        break;
      }
      int err = SSL_get_error(ssl, rc);
      auto left = options_.handshake_timeout - std::chrono::duration_cast<milliseconds>(Clock::now() - accepted);
      if ((err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE) || left <= milliseconds(0) || stopping_) break;
      if (UnderPressure() && Clock::now() - progressed >= kPressureGrace) break;
      if (PollFor(sock, err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, std::min(left, kPollSlice)) > 0)
        progressed = Clock::now();
    }
    fcntl(sock, F_SETFL, flags);
    ERR_clear_error();
    if (!done) {
      SSL_free(ssl);
      CloseNow(sock);
      return false;
    }
  }
  bool parked = false;
  ConnectionStream stream(sock, ssl, options_, parked);
  bool ok = false;
  size_t left = options_.keep_alive_max_count;
  while (left > 0 && await(ssl, options_.keep_alive_timeout)) {
    bool closed = false;
    t_park = &parked;
    ok = process_request(stream, left == 1 || stopping_, closed, [ssl](httplib::Request& req) { req.ssl = ssl; });
    t_park = nullptr;
    if (parked) {
      if (ssl) SSL_free(ssl);  // no close_notify: the client sees nothing at all
      Park(sock);
      return false;
    }
    if (!ok || closed || stopping_) break;
    --left;
  }
  if (ssl) {
    if (ok) SSL_shutdown(ssl);
    SSL_free(ssl);
  }
  shutdown(sock, SHUT_RDWR);
  close(sock);
  return ok;
}

}  // namespace keyroll::fakes
