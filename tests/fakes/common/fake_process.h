// fake_process: the process plumbing every fake executable shares — its --listen and
// --rate-limit arguments, the state directory it leaves for tests and the sandbox (ca.crt,
// port, admin-token), and a clean stop on SIGTERM/SIGINT.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>

#include <signal.h>

namespace keyroll::fakes {

struct ListenAddress {
  std::string host;
  int port = 0;  // 0: any free port
};
// "HOST:PORT" (the last colon splits). Throws std::runtime_error / std::invalid_argument.
ListenAddress ParseListen(const std::string& listen);

// "N/s" or "N" -> N; "" -> 0 (unlimited). Throws std::invalid_argument on garbage.
int ParsePerSecond(const std::string& rate);

// Writes content to path; private_file makes it 0600 (tokens, secrets). Throws on failure.
void WriteStateFile(const std::filesystem::path& path, const std::string& content, bool private_file = false);

// Creates dir and writes what every fake leaves there: ca.crt (unless ca_pem is empty, i.e.
// plain HTTP), port and admin-token (0600).
void WriteCommonState(const std::filesystem::path& dir, const std::string& ca_pem, int port,
                      const std::string& admin_token);

// Runs stop() and returns when it is done — or ends the process (exit status 0) after
// `limit`: a fake always exits within a few seconds of SIGTERM, whatever its clients do.
// Nothing is written to stdout or stderr on the way: a launcher may have stopped reading.
void StopWithin(const std::function<void()>& stop, std::chrono::milliseconds limit = std::chrono::seconds(3));

// Writes `line` to stdout on a thread of its own: a launcher that never reads the fake's
// stdout (a full pipe) does not keep main() from waiting for SIGTERM. Pair with ExitNow.
void AnnounceReady(const std::string& line);
// Ends the process at once with `code`, without flushing stdio (a write to stdout may still be
// blocked on a full pipe). Call it once everything is stopped.
[[noreturn]] void ExitNow(int code);

// Blocks SIGTERM and SIGINT for this thread and every thread started after it (construct it
// before the server's threads), so that only Wait() receives them.
class StopSignals {
 public:
  StopSignals();
  int Wait();  // the signal that arrived

 private:
  sigset_t set_;
};

}  // namespace keyroll::fakes
