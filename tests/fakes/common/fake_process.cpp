#include "tests/fakes/common/fake_process.h"

#include <pthread.h>
#include <unistd.h>

#include <fstream>
#include <memory>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace keyroll::fakes {

ListenAddress ParseListen(const std::string& listen) {
  auto colon = listen.rfind(':');
  if (colon == std::string::npos) throw std::runtime_error("--listen must be HOST:PORT");
  return {listen.substr(0, colon), std::stoi(listen.substr(colon + 1))};
}

int ParsePerSecond(const std::string& rate) {
  return rate.empty() ? 0 : std::stoi(rate.substr(0, rate.find('/')));
}

void WriteStateFile(const std::filesystem::path& path, const std::string& content, bool private_file) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  if (!out) throw std::runtime_error("cannot write " + path.string());
  out.close();
  if (private_file) {
    std::filesystem::permissions(path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  }
}

void WriteCommonState(const std::filesystem::path& dir, const std::string& ca_pem, int port,
                      const std::string& admin_token) {
  std::filesystem::create_directories(dir);
  if (!ca_pem.empty()) WriteStateFile(dir / "ca.crt", ca_pem);
  WriteStateFile(dir / "port", std::to_string(port) + "\n");
  WriteStateFile(dir / "admin-token", admin_token + "\n", true);
}

void StopWithin(const std::function<void()>& stop, std::chrono::milliseconds limit) {
  struct Done {
    std::mutex mu;
    std::condition_variable cv;
    bool done = false;
  };
  auto state = std::make_shared<Done>();
  std::thread([stop, state] {
    stop();
    std::lock_guard lock(state->mu);
    state->done = true;
    state->cv.notify_all();
  }).detach();
  std::unique_lock lock(state->mu);
  if (!state->cv.wait_for(lock, limit, [&] { return state->done; })) _exit(0);
}

void AnnounceReady(const std::string& line) {
  std::thread([text = line + "\n"] {
    size_t done = 0;
    while (done < text.size()) {
      ssize_t n = ::write(STDOUT_FILENO, text.data() + done, text.size() - done);
      if (n <= 0) return;
      done += static_cast<size_t>(n);
    }
  }).detach();
}

void ExitNow(int code) { _exit(code); }

StopSignals::StopSignals() {
  sigemptyset(&set_);
  sigaddset(&set_, SIGTERM);
  sigaddset(&set_, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set_, nullptr);
}

int StopSignals::Wait() {
  int sig = 0;
  sigwait(&set_, &sig);
  return sig;
}

}  // namespace keyroll::fakes
