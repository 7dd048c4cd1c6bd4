// status_cmd: `kubectl keyroll status [NAME] [-n NS | -A] [-o table|wide|json|yaml]` — one
// line per SigningKeyRotation: phase, fingerprints, key age against maxKeyAge, last and next
// rotation (the schedule's time zone), consumers ready/total and, when not Ready, why.
#pragma once

#include <nlohmann/json.hpp>
#include <ostream>
#include <string>

#include "cli/session.h"
#include "operator/rotation/timestamp.h"

namespace keyroll::cli {

// The summary of one resource (also the -o json/yaml item). Fingerprints only.
nlohmann::json Summarize(const nlohmann::json& resource, rotation::Time now);

int RunStatus(const GlobalOptions& options, const std::string& name, std::ostream& out);

}  // namespace keyroll::cli
