// session.cpp — see session.h.
#include "cli/session.h"

#include "cli/errors.h"
#include "operator/kube/config.h"

namespace keyroll::cli {

Session Connect(const GlobalOptions& options) {
  auto config = kube::LoadConfig(options.kubeconfig, options.context);
  if (!config) throw CliError(kExitNoCluster, "no cluster configuration: " + config.error().message);
  config->user_agent = "kubectl-keyroll";
  // A person waits for every answer: fail in seconds, not the operator's half minute.
  kube::TransportOptions transport;
  transport.connect_timeout = std::chrono::seconds(5);
  transport.read_timeout = std::chrono::seconds(20);
  auto client = kube::Client::Create(*config, transport);
  if (!client) throw FromKube(client.error(), "the kubeconfig");
  Session s;
  s.ns = options.all_namespaces ? "" : (options.ns.empty() ? config->namespace_name : options.ns);
  s.client = std::move(*client);
  return s;
}

}  // namespace keyroll::cli
