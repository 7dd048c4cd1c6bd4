// black_hole.cpp — see black_hole.h.
#include "tests/fakes/common/black_hole.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <stdexcept>

namespace keyroll::fakes {
namespace {

constexpr size_t kMaxHeld = 4096;

bool PeerGone(int fd) {
  pollfd p{fd, POLLRDHUP, 0};
  return poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL));
}

}  // namespace

BlackHole::~BlackHole() { Stop(); }

int BlackHole::Start(const std::string& host) {
  listener_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listener_ < 0) throw std::runtime_error("black hole: socket failed");
  int one = 1;
  setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = 0;
  if (inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1 ||
      bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(listener_, 1024) != 0) {
    close(listener_);
    listener_ = -1;
    throw std::runtime_error("black hole: cannot listen on " + host);
  }
  socklen_t len = sizeof addr;
  getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  thread_ = std::thread([this] { Run(); });
  return port_;
}

void BlackHole::Run() {
  while (!stopping_) {
    pollfd p{listener_, POLLIN, 0};
    if (poll(&p, 1, 50) <= 0) continue;
    int fd = accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    std::lock_guard lock(mu_);
    std::erase_if(held_, [](int h) { return PeerGone(h) ? (close(h), true) : false; });
    if (held_.size() >= kMaxHeld) {
      close(fd);
      continue;
    }
    held_.push_back(fd);  // never read, never answered
  }
}

void BlackHole::Stop() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
  std::lock_guard lock(mu_);
  for (int fd : held_) close(fd);
  held_.clear();
  if (listener_ >= 0) close(listener_);
  listener_ = -1;
}

size_t BlackHole::held() const {
  std::lock_guard lock(mu_);
  return held_.size();
}

}  // namespace keyroll::fakes
