#include "operator/runtime/signals.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <thread>

namespace keyroll::runtime {

void ShutdownSignal::Request(const std::string& reason) {
  std::lock_guard lock(mu_);
  if (requested_) return;
  requested_ = true;
  reason_ = reason;
  cv_.notify_all();
}

bool ShutdownSignal::Requested() const {
  std::lock_guard lock(mu_);
  return requested_;
}

std::string ShutdownSignal::Reason() const {
  std::lock_guard lock(mu_);
  return reason_;
}

void ShutdownSignal::Wait() const {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [this] { return requested_; });
}

bool ShutdownSignal::WaitFor(std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, timeout, [this] { return requested_; });
}

namespace {

int g_pipe_write = -1;
std::atomic<int> g_signals_seen{0};

// Async-signal-safe: only write(2), _exit(2) and a lock-free atomic.
void OnSignal(int signo) {
  if (g_signals_seen.fetch_add(1) >= 1) _exit(1);
  int saved = errno;
  unsigned char byte = static_cast<unsigned char>(signo);
  [[maybe_unused]] ssize_t n = write(g_pipe_write, &byte, 1);
  errno = saved;
}

}  // namespace

bool InstallShutdownHandlers(ShutdownSignal& signal) {
  static std::atomic<bool> installed{false};
  if (installed.exchange(true)) return false;
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return false;
  g_pipe_write = fds[1];

  std::thread([read_fd = fds[0], &signal] {
    unsigned char byte = 0;
    while (true) {
      ssize_t n = read(read_fd, &byte, 1);
      if (n == 1) {
        signal.Request(byte == SIGINT ? "SIGINT" : "SIGTERM");
      } else if (n < 0 && errno == EINTR) {
        continue;
      } else {
        return;
      }
    }
  }).detach();  // lives as long as the process; it only ever blocks in read()

  struct sigaction sa {};
  sa.sa_handler = OnSignal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  return sigaction(SIGTERM, &sa, nullptr) == 0 && sigaction(SIGINT, &sa, nullptr) == 0;
}

}  // namespace keyroll::runtime
