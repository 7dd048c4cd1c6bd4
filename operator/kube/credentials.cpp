#include "operator/kube/credentials.h"

#include <sys/stat.h>

#include <spdlog/spdlog.h>

namespace keyroll::kube {
namespace {
std::string TrimToken(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}
}  // namespace

Credentials::Credentials(Config config, std::chrono::milliseconds token_file_check)
    : config_(std::move(config)), token_file_check_(token_file_check) {
  if (!config_.token_file.empty()) ReadTokenFileLocked(true);
}

void Credentials::ReadTokenFileLocked(bool force) {
  auto now = std::chrono::steady_clock::now();
  if (!force && now - file_checked_ < token_file_check_) return;
  file_checked_ = now;
  struct stat st {};
  if (stat(config_.token_file.c_str(), &st) != 0) {
    spdlog::warn("token file {} cannot be read; keeping the last token", config_.token_file);
    return;
  }
  // mtime first (cheap); the content decides when the mtime moved (or on force).
  bool mtime_same = st.st_mtim.tv_sec == file_mtime_.tv_sec && st.st_mtim.tv_nsec == file_mtime_.tv_nsec;
  if (mtime_same && !force && !file_token_.empty()) return;
  auto content = ReadWholeFile(config_.token_file);
  if (!content) return;
  std::string token = TrimToken(*content);
  if (token.empty()) return;  // a rotation caught half-written: keep the old token
  if (token != file_token_ && !file_token_.empty()) {
    spdlog::info("token file {} changed; using the new token", config_.token_file);
  }
  file_token_ = token;
  file_mtime_ = st.st_mtim;
}

Result<Unit> Credentials::EnsureExecLocked() {
  if (!config_.exec) return Unit{};
  if (exec_ && (!exec_->expiry || std::chrono::system_clock::now() < *exec_->expiry)) return Unit{};
  auto cred = RunExecPlugin(*config_.exec, config_.server, config_.ca_pem);
  ++exec_runs_;
  if (!cred) return cred.error();
  bool cert_changed = !exec_ || exec_->client_cert_pem != cred->client_cert_pem ||
                      exec_->client_key_pem != cred->client_key_pem;
  exec_ = *cred;
  if (cert_changed && !exec_->client_cert_pem.empty()) ++cert_generation_;
  spdlog::debug("exec credential plugin {} ran (run {})", config_.exec->command, exec_runs_);
  return Unit{};
}

Result<std::string> Credentials::Token() {
  std::lock_guard lock(mu_);
  if (config_.exec) {
    auto ok = EnsureExecLocked();
    if (!ok) return ok.error();
    if (!exec_->token.empty()) return exec_->token;
  }
  if (!config_.token_file.empty()) {
    ReadTokenFileLocked(false);
    if (!file_token_.empty()) return file_token_;
  }
  return config_.token;
}

Result<std::optional<ClientCert>> Credentials::Cert() {
  std::lock_guard lock(mu_);
  // A token-only plugin is not re-run for a new connection; Token() renews it.
  if (config_.exec && (!exec_ || !exec_->client_cert_pem.empty())) {
    auto ok = EnsureExecLocked();
    if (!ok) return ok.error();
    if (!exec_->client_cert_pem.empty()) {
      return std::optional<ClientCert>(ClientCert{exec_->client_cert_pem, exec_->client_key_pem});
    }
  }
  if (!config_.client_cert_pem.empty()) {
    return std::optional<ClientCert>(ClientCert{config_.client_cert_pem, config_.client_key_pem});
  }
  return std::optional<ClientCert>();
}

uint64_t Credentials::cert_generation() {
  std::lock_guard lock(mu_);
  return cert_generation_;
}

bool Credentials::RefreshAfterUnauthorized() {
  std::lock_guard lock(mu_);
  bool may_change = false;
  if (config_.exec) {
    exec_.reset();  // the next Token()/Cert() runs the plugin again
    may_change = true;
  }
  if (!config_.token_file.empty()) {
    std::string before = file_token_;
    ReadTokenFileLocked(true);
    may_change = may_change || file_token_ != before;
  }
  return may_change;
}

}  // namespace keyroll::kube
