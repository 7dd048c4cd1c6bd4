#include "tests/fakes/kube/kubeconfig.h"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "operator/base/encoding.h"

namespace keyroll::fakes {
namespace {

void WriteFile(const std::string& path, const std::string& content, mode_t mode) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error("cannot write " + path);
    out << content;
  }
  chmod(tmp.c_str(), mode);
  std::filesystem::rename(tmp, path);  // readers never see half a file
}

}  // namespace

std::string KubeconfigText(const std::string& server, const std::string& ca_pem,
                           const std::string& user, const std::string& token) {
  std::string cluster = "    server: " + server + "\n";
  if (!ca_pem.empty()) cluster += "    certificate-authority-data: " + base::Base64Encode(ca_pem) + "\n";
  return "apiVersion: v1\n"
         "kind: Config\n"
         "clusters:\n"
         "- name: fake\n"
         "  cluster:\n" + cluster +
         "users:\n"
         "- name: " + user + "\n"
         "  user:\n"
         "    token: " + token + "\n"
         "contexts:\n"
         "- name: fake\n"
         "  context:\n"
         "    cluster: fake\n"
         "    user: " + user + "\n"
         "current-context: fake\n";
}

void WriteStateDir(const std::string& dir, const TlsMaterial* tls, int port,
                   const std::string& kubeconfig, const std::string& admin_token) {
  std::filesystem::create_directories(dir);
  if (tls) WriteTlsMaterial(*tls, dir);
  WriteFile(dir + "/admin-token", admin_token, 0600);
  WriteFile(dir + "/kubeconfig", kubeconfig, 0600);
  WriteFile(dir + "/port", std::to_string(port), 0644);
}

}  // namespace keyroll::fakes
