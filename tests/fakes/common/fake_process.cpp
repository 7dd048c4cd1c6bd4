#include "tests/fakes/common/fake_process.h"

#include <pthread.h>

#include <fstream>
#include <stdexcept>

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
