// kubeconfig: parse a kubeconfig file (clusters, users, contexts) into a Config with
// yaml-cpp. Relative paths resolve against the file's directory. Never throws.
#pragma once

#include <string>

#include "operator/kube/config.h"

namespace keyroll::kube {

// Loads the named context (empty: current-context) from the kubeconfig at `path`.
Result<Config> LoadKubeconfig(const std::string& path, const std::string& context = "");

// Same, from text; `base_dir` resolves relative paths; `source` names it in errors.
Result<Config> ParseKubeconfig(const std::string& yaml_text, const std::string& base_dir,
                               const std::string& context = "",
                               const std::string& source = "kubeconfig");

}  // namespace keyroll::kube
