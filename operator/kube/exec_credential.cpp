#include "operator/kube/exec_credential.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <map>

#include <nlohmann/json.hpp>

#include "operator/base/encoding.h"

extern char** environ;

namespace keyroll::kube {

std::optional<std::chrono::system_clock::time_point> ParseRfc3339(const std::string& text) {
  std::tm tm{};
  int consumed = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon,
                  &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &consumed) != 6) {
    return std::nullopt;
  }
  // RFC 3339's year has four digits (sscanf would take "-999" too).
  if (tm.tm_year < 0 || tm.tm_year > 9999 || !std::isdigit(static_cast<unsigned char>(text[0]))) return std::nullopt;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  std::string rest = text.substr(static_cast<size_t>(consumed));
  size_t i = 0;
  if (i < rest.size() && rest[i] == '.') {
    ++i;
    while (i < rest.size() && std::isdigit(static_cast<unsigned char>(rest[i]))) ++i;
  }
  long offset = 0;
  std::string zone = rest.substr(i);
  if (zone == "Z" || zone == "z") {
  } else if (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && zone[3] == ':') {
    int h = 0, m = 0;
    if (std::sscanf(zone.c_str() + 1, "%2d:%2d", &h, &m) != 2) return std::nullopt;
    offset = (h * 3600L + m * 60L) * (zone[0] == '+' ? 1 : -1);
  } else {
    return std::nullopt;
  }
  time_t t = timegm(&tm) - offset;
  // system_clock counts nanoseconds in 64 bits: it ends in 2262. Far-future expiries mean "never".
  if (t > 9000000000LL) return std::chrono::system_clock::time_point::max();
  if (t < -9000000000LL) return std::chrono::system_clock::time_point::min();  // (before 1685) long expired
  return std::chrono::system_clock::from_time_t(t);
}

Result<ExecCredential> ParseExecCredential(const std::string& out, const std::string& api_version) {
  auto j = nlohmann::json::parse(out, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return ConfigError("exec plugin did not print a JSON ExecCredential");
  }
  // (j.value throws when the field is there but not a string.)
  auto text = [&](const char* k) {
    auto it = j.find(k);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  if (text("kind") != "ExecCredential") {
    return ConfigError("exec plugin printed kind '" + text("kind") + "', want ExecCredential");
  }
  if (text("apiVersion") != api_version) {
    return ConfigError("exec plugin printed apiVersion '" + text("apiVersion") + "', the kubeconfig asks for " +
                       api_version);
  }
  auto st = j.find("status");
  if (st == j.end() || !st->is_object()) return ConfigError("exec plugin printed no status");
  ExecCredential c;
  auto str = [&](const char* k) {
    auto it = st->find(k);
    return it != st->end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  c.token = str("token");
  c.client_cert_pem = str("clientCertificateData");
  c.client_key_pem = str("clientKeyData");
  if (c.token.empty() && c.client_cert_pem.empty()) {
    return ConfigError("exec plugin status has neither token nor clientCertificateData");
  }
  if (c.client_cert_pem.empty() != c.client_key_pem.empty()) {
    return ConfigError("exec plugin status has clientCertificateData without clientKeyData (or the reverse)");
  }
  if (std::string exp = str("expirationTimestamp"); !exp.empty()) {
    c.expiry = ParseRfc3339(exp);
    if (!c.expiry) return ConfigError("exec plugin expirationTimestamp is not RFC 3339");
  }
  return c;
}

namespace {

std::string ExecInfo(const ExecConfig& exec, const std::string& server, const std::string& ca_pem) {
  nlohmann::json spec = {{"interactive", false}};
  if (exec.provide_cluster_info) {
    spec["cluster"] = {{"server", server}};
    if (!ca_pem.empty()) spec["cluster"]["certificate-authority-data"] = base::Base64Encode(ca_pem);
  }
  nlohmann::json info = {{"apiVersion", exec.api_version}, {"kind", "ExecCredential"}, {"spec", spec}};
  return info.dump();
}

}  // namespace

Result<ExecCredential> RunExecPlugin(const ExecConfig& exec, const std::string& server,
                                     const std::string& ca_pem, std::chrono::seconds timeout) {
  std::map<std::string, std::string> env;
  for (char** e = environ; *e; ++e) {
    std::string kv(*e);
    if (auto eq = kv.find('='); eq != std::string::npos) env[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  for (const auto& [k, v] : exec.env) env[k] = v;
  env["KUBERNETES_EXEC_INFO"] = ExecInfo(exec, server, ca_pem);
  std::vector<std::string> env_strings, argv_strings{exec.command};
  for (const auto& [k, v] : env) env_strings.push_back(k + "=" + v);
  argv_strings.insert(argv_strings.end(), exec.args.begin(), exec.args.end());
  std::vector<char*> argv, envp;
  for (auto& a : argv_strings) argv.push_back(a.data());
  argv.push_back(nullptr);
  for (auto& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);

  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return ConfigError("exec plugin: pipe failed");
  pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    return ConfigError("exec plugin: fork failed");
  }
  if (pid == 0) {
    dup2(fds[1], 1);
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, 0);
    // PATH lookup like client-go's exec.LookPath; stderr stays the operator's stderr.
    execvpe(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  close(fds[1]);
  std::string out;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  bool timed_out = false;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now()).count();
    if (left <= 0) {
      timed_out = true;
      break;
    }
    pollfd p{fds[0], POLLIN, 0};
    int r = poll(&p, 1, static_cast<int>(left));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) continue;
    char buf[4096];
    ssize_t n = read(fds[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
    if (out.size() > (1 << 20)) break;  // no credential is a megabyte
  }
  close(fds[0]);
  if (timed_out) kill(pid, SIGKILL);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (timed_out) return ConfigError("exec plugin " + exec.command + " timed out");
  if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
    return ConfigError("exec plugin " + exec.command + " could not be run (not found or not executable)");
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return ConfigError("exec plugin " + exec.command + " failed with exit status " +
                       std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1));
  }
  auto cred = ParseExecCredential(out, exec.api_version);
  if (!cred) {
    KubeError e = cred.error();
    e.message = exec.command + ": " + e.message;
    return e;
  }
  return cred;
}

}  // namespace keyroll::kube
