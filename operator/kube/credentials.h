// credentials: the bearer token / client certificate to present right now. Re-reads a
// token file when it changes (projected service account tokens rotate), runs and caches
// exec plugins until their expiry, and refreshes everything after a 401. Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <ctime>
#include <mutex>
#include <optional>
#include <string>

#include "operator/kube/config.h"
#include "operator/kube/exec_credential.h"

namespace keyroll::kube {

struct ClientCert {
  std::string cert_pem;
  std::string key_pem;
};

class Credentials {
 public:
  explicit Credentials(Config config,
                       std::chrono::milliseconds token_file_check = std::chrono::seconds(3));

  // The token for the next request ("" when the user has none).
  Result<std::string> Token();
  // The client certificate (static or from the exec plugin), if any.
  Result<std::optional<ClientCert>> Cert();
  // Bumped whenever Cert() would return a different certificate: connections made with
  // an older one must be dropped.
  uint64_t cert_generation();
  // After a 401: re-read the token file now, forget an exec credential. True if a retry
  // may succeed (the credential changed or can change).
  bool RefreshAfterUnauthorized();

  int exec_runs() const { return exec_runs_; }  // for tests and metrics

 private:
  Result<Unit> EnsureExecLocked();
  void ReadTokenFileLocked(bool force);

  const Config config_;
  const std::chrono::milliseconds token_file_check_;
  std::mutex mu_;
  std::string file_token_;
  std::chrono::steady_clock::time_point file_checked_{};
  struct timespec file_mtime_{};
  std::optional<ExecCredential> exec_;
  uint64_t cert_generation_ = 0;
  int exec_runs_ = 0;
};

}  // namespace keyroll::kube
