// inspect_cmd: `kubectl keyroll inspect NAME` — the Secret's fingerprints and keysHash
// (never values), every consumer with the keys-hash its template carries and its rollout
// state, and the resource's recent events.
#pragma once

#include <nlohmann/json.hpp>
#include <ostream>
#include <string>

#include "cli/cluster_state.h"
#include "cli/events.h"
#include "cli/session.h"

namespace keyroll::cli {

nlohmann::json InspectJson(const ClusterState& state, const std::vector<EventView>& events);

int RunInspect(const GlobalOptions& options, const std::string& name, std::ostream& out);

}  // namespace keyroll::cli
