// config: everything needed to reach one API server (server URL, trust, credentials,
// default namespace), loaded from a kubeconfig or from the in-cluster service account.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "operator/kube/result.h"

namespace keyroll::kube {

// A client.authentication.k8s.io exec credential plugin (kubeconfig users[].user.exec).
struct ExecConfig {
  std::string api_version;  // client.authentication.k8s.io/v1 or v1beta1
  std::string command;      // resolved against the kubeconfig directory if it has a '/'
  std::vector<std::string> args;
  std::vector<std::pair<std::string, std::string>> env;
  bool provide_cluster_info = false;
  std::string interactive_mode;  // Never | IfAvailable | Always (we never have a TTY)
};

struct Config {
  std::string server;  // https://host:port (or http:// for test servers)
  std::string ca_pem;  // empty: the system trust store
  bool insecure_skip_tls_verify = false;
  std::string tls_server_name;

  std::string token;       // static bearer token
  std::string token_file;  // re-read when it changes (projected service account tokens)
  std::string client_cert_pem;
  std::string client_key_pem;
  std::optional<ExecConfig> exec;

  std::string namespace_name = "default";  // the context's (or the pod's) namespace
  std::string user_agent;  // the User-Agent header (client-go's rest.Config.UserAgent); "" = the library's
  std::string source;                      // where this came from, for messages
};

struct InClusterPaths {
  std::string token = "/var/run/secrets/kubernetes.io/serviceaccount/token";
  std::string ca = "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt";
  std::string ns = "/var/run/secrets/kubernetes.io/serviceaccount/namespace";
};

// KUBERNETES_SERVICE_HOST/PORT plus the service account files.
Result<Config> InClusterConfig(const InClusterPaths& paths = {});

// --kubeconfig if given, else $KUBECONFIG (first existing entry), else in-cluster when
// KUBERNETES_SERVICE_HOST is set, else ~/.kube/config. `context` empty: current-context.
Result<Config> LoadConfig(const std::string& kubeconfig_path = "",
                          const std::string& context = "");

// Reads a whole file; nullopt when it cannot be read.
std::optional<std::string> ReadWholeFile(const std::string& path);

}  // namespace keyroll::kube
