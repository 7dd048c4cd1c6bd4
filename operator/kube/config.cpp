#include "operator/kube/config.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "operator/kube/kubeconfig.h"

namespace keyroll::kube {
namespace {

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

std::optional<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return ss.str();
}

Result<Config> InClusterConfig(const InClusterPaths& paths) {
  std::string host = Env("KUBERNETES_SERVICE_HOST");
  std::string port = Env("KUBERNETES_SERVICE_PORT");
  if (host.empty() || port.empty()) {
    return ConfigError(
        "not running in a cluster: KUBERNETES_SERVICE_HOST/KUBERNETES_SERVICE_PORT are not set");
  }
  Config c;
  c.source = "in-cluster service account";
  // An IPv6 service host needs brackets in the URL.
  c.server = "https://" + (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + port;
  auto token = ReadWholeFile(paths.token);
  if (!token) return ConfigError("in-cluster: cannot read service account token " + paths.token);
  c.token_file = paths.token;  // re-read as it rotates
  auto ca = ReadWholeFile(paths.ca);
  if (!ca) return ConfigError("in-cluster: cannot read service account CA " + paths.ca);
  c.ca_pem = *ca;
  if (auto ns = ReadWholeFile(paths.ns); ns && !Trim(*ns).empty()) c.namespace_name = Trim(*ns);
  return c;
}

Result<Config> LoadConfig(const std::string& kubeconfig_path, const std::string& context) {
  if (!kubeconfig_path.empty()) return LoadKubeconfig(kubeconfig_path, context);
  std::string list = Env("KUBECONFIG");
  if (!list.empty()) {
    std::stringstream ss(list);
    std::string entry;
    while (std::getline(ss, entry, ':')) {
      if (!entry.empty() && std::filesystem::exists(entry)) return LoadKubeconfig(entry, context);
    }
    return ConfigError("KUBECONFIG is set but none of its files exist");
  }
  if (!Env("KUBERNETES_SERVICE_HOST").empty()) return InClusterConfig();
  std::string home = Env("HOME");
  std::string fallback = home + "/.kube/config";
  if (!home.empty() && std::filesystem::exists(fallback)) return LoadKubeconfig(fallback, context);
  return ConfigError(
      "no configuration: pass --kubeconfig, set KUBECONFIG, or run in a cluster");
}

}  // namespace keyroll::kube
