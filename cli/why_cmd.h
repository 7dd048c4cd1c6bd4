// why_cmd: `kubectl keyroll why NAME` — the rotation gate on the cluster's current state:
// every policy of operator/rotation's chain with pass or hold and its message, the verdict of
// Decide itself (RotationAllowed as the operator would write it) and what keyroll would do
// next. Provider keys come from status (what the operator last read), or with
// --read-provider from the provider itself.
#pragma once

#include <nlohmann/json.hpp>
#include <ostream>
#include <string>

#include "cli/cluster_state.h"
#include "cli/session.h"

namespace keyroll::cli {

// The explanation as data (-o json/yaml prints it; the text form is made from it).
nlohmann::json Explain(const ClusterState& state, rotation::Time now);

struct WhyOptions {
  bool read_provider = false;    // read the provider now (the resource's credential Secret)
  std::string provider_ca_file;  // extra CA for the provider's HTTPS (as the operator's flag)
};

int RunWhy(const GlobalOptions& options, const std::string& name, const WhyOptions& why, std::ostream& out);

}  // namespace keyroll::cli
