#include "operator/kube/kubeconfig.h"

#include <filesystem>
#include <optional>

#include <yaml-cpp/yaml.h>

#include "operator/base/encoding.h"

namespace keyroll::kube {
namespace {

// yaml-cpp throws on type mismatches; every access goes through these helpers.
std::string Scalar(const YAML::Node& n, const char* key) {
  YAML::Node v = n[key];
  if (!v || v.IsNull()) return "";
  if (!v.IsScalar()) throw std::runtime_error(std::string("field '") + key + "' is not a string");
  return v.as<std::string>();
}

bool Bool(const YAML::Node& n, const char* key) {
  YAML::Node v = n[key];
  if (!v || v.IsNull()) return false;
  if (!v.IsScalar()) throw std::runtime_error(std::string("field '") + key + "' is not a bool");
  return v.as<bool>();
}

// Finds the entry `name` in a named list (clusters/users/contexts) and returns its `inner`.
// (A default YAML::Node is a defined null node, hence the optional.)
std::optional<YAML::Node> Named(const YAML::Node& root, const char* list, const char* inner,
                                const std::string& name) {
  YAML::Node l = root[list];
  if (!l || l.IsNull()) return std::nullopt;
  if (!l.IsSequence()) throw std::runtime_error(std::string("'") + list + "' is not a list");
  for (const auto& e : l) {
    if (e.IsMap() && Scalar(e, "name") == name) {
      YAML::Node v = e[inner];
      return v && v.IsMap() ? v : YAML::Node(YAML::NodeType::Map);
    }
  }
  return std::nullopt;
}

std::string Resolve(const std::string& base_dir, const std::string& path) {
  if (path.empty() || path[0] == '/' || base_dir.empty()) return path;
  return (std::filesystem::path(base_dir) / path).string();
}

// `<key>-data` (base64) wins over `<key>` (a file path), as in client-go.
Result<std::string> DataOrFile(const YAML::Node& n, const std::string& key,
                               const std::string& base_dir, const std::string& what) {
  std::string data = Scalar(n, (key + "-data").c_str());
  if (!data.empty()) {
    auto decoded = base::Base64Decode(data);
    if (!decoded) return ConfigError(what + ": " + key + "-data is not valid base64");
    return *decoded;
  }
  std::string file = Scalar(n, key.c_str());
  if (file.empty()) return std::string();
  std::string path = Resolve(base_dir, file);
  auto content = ReadWholeFile(path);
  if (!content) return ConfigError(what + ": cannot read " + key + " file " + path);
  return *content;
}

Result<ExecConfig> ParseExec(const YAML::Node& e, const std::string& base_dir,
                             const std::string& what) {
  ExecConfig x;
  x.api_version = Scalar(e, "apiVersion");
  x.command = Scalar(e, "command");
  if (x.command.empty()) return ConfigError(what + ": exec plugin has no command");
  if (x.api_version != "client.authentication.k8s.io/v1" &&
      x.api_version != "client.authentication.k8s.io/v1beta1") {
    return ConfigError(what + ": exec plugin apiVersion '" + x.api_version +
                       "' is not supported (use client.authentication.k8s.io/v1 or v1beta1)");
  }
  // client-go resolves a command with a path separator relative to the kubeconfig.
  if (x.command.find('/') != std::string::npos) x.command = Resolve(base_dir, x.command);
  if (YAML::Node args = e["args"]; args && args.IsSequence()) {
    for (const auto& a : args) x.args.push_back(a.as<std::string>());
  }
  if (YAML::Node env = e["env"]; env && env.IsSequence()) {
    for (const auto& kv : env) x.env.emplace_back(Scalar(kv, "name"), Scalar(kv, "value"));
  }
  x.provide_cluster_info = Bool(e, "provideClusterInfo");
  x.interactive_mode = Scalar(e, "interactiveMode");
  return x;
}

Result<Config> Parse(const YAML::Node& root, const std::string& base_dir,
                     const std::string& context_arg, const std::string& source) {
  if (!root.IsMap()) return ConfigError(source + ": not a kubeconfig (expected a YAML map)");
  std::string context_name = context_arg.empty() ? Scalar(root, "current-context") : context_arg;
  if (context_name.empty()) return ConfigError(source + ": no current-context and no context given");
  auto ctx_entry = Named(root, "contexts", "context", context_name);
  if (!ctx_entry) return ConfigError(source + ": context '" + context_name + "' not found");
  const YAML::Node ctx = *ctx_entry;
  std::string cluster_name = Scalar(ctx, "cluster");
  std::string user_name = Scalar(ctx, "user");
  auto cluster_entry = Named(root, "clusters", "cluster", cluster_name);
  if (!cluster_entry) {
    return ConfigError(source + ": cluster '" + cluster_name + "' of context '" + context_name +
                       "' not found");
  }
  const YAML::Node cluster = *cluster_entry;
  Config c;
  c.source = source + " (context " + context_name + ")";
  c.server = Scalar(cluster, "server");
  if (c.server.empty()) return ConfigError(c.source + ": cluster '" + cluster_name + "' has no server");
  if (c.server.rfind("https://", 0) != 0 && c.server.rfind("http://", 0) != 0) {
    return ConfigError(c.source + ": server '" + c.server + "' is not an http(s) URL");
  }
  c.insecure_skip_tls_verify = Bool(cluster, "insecure-skip-tls-verify");
  c.tls_server_name = Scalar(cluster, "tls-server-name");
  auto ca = DataOrFile(cluster, "certificate-authority", base_dir, c.source);
  if (!ca) return ca.error();
  c.ca_pem = *ca;
  if (std::string ns = Scalar(ctx, "namespace"); !ns.empty()) c.namespace_name = ns;

  if (!user_name.empty()) {
    auto user_entry = Named(root, "users", "user", user_name);
    if (!user_entry) return ConfigError(c.source + ": user '" + user_name + "' not found");
    const YAML::Node user = *user_entry;
    c.token = Scalar(user, "token");
    if (std::string f = Scalar(user, "tokenFile"); !f.empty()) c.token_file = Resolve(base_dir, f);
    auto cert = DataOrFile(user, "client-certificate", base_dir, c.source);
    if (!cert) return cert.error();
    auto key = DataOrFile(user, "client-key", base_dir, c.source);
    if (!key) return key.error();
    c.client_cert_pem = *cert;
    c.client_key_pem = *key;
    if (c.client_cert_pem.empty() != c.client_key_pem.empty()) {
      return ConfigError(c.source + ": user '" + user_name +
                         "' has a client certificate without a key (or a key without a certificate)");
    }
    if (YAML::Node exec = user["exec"]; exec && exec.IsMap()) {
      auto x = ParseExec(exec, base_dir, c.source);
      if (!x) return x.error();
      c.exec = *x;
    }
  }
  return c;
}

}  // namespace

Result<Config> ParseKubeconfig(const std::string& yaml_text, const std::string& base_dir,
                               const std::string& context, const std::string& source) {
  try {
    return Parse(YAML::Load(yaml_text), base_dir, context, source);
  } catch (const YAML::Exception& e) {
    return ConfigError(source + ": invalid YAML: " + e.what());
  } catch (const std::exception& e) {
    return ConfigError(source + ": " + e.what());
  }
}

Result<Config> LoadKubeconfig(const std::string& path, const std::string& context) {
  auto text = ReadWholeFile(path);
  if (!text) return ConfigError("cannot read kubeconfig " + path);
  std::string dir = std::filesystem::absolute(path).parent_path().string();
  return ParseKubeconfig(*text, dir, context, path);
}

}  // namespace keyroll::kube
