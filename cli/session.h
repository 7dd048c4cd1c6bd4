// session: the kubeconfig flags as kubectl has them (--kubeconfig, --context, -n, -A) and the
// API client they select. Every command starts from a Session.
#pragma once

#include <memory>
#include <string>

#include "operator/kube/client.h"

namespace keyroll::cli {

struct GlobalOptions {
  std::string kubeconfig;
  std::string context;
  std::string ns;                // -n; "" = the context's namespace
  bool all_namespaces = false;   // -A (status only)
  std::string output = "table";  // -o table|wide|json|yaml
};

struct Session {
  std::unique_ptr<kube::Client> client;
  std::string ns;  // the namespace commands act in ("" with -A)
};

// Throws CliError (kExitNoCluster) when no configuration can be loaded.
Session Connect(const GlobalOptions& options);

}  // namespace keyroll::cli
