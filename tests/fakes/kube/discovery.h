// discovery: the documents clients read to learn what the server serves: /version, /api,
// /apis, /apis/GROUP, /api/v1 and /apis/GROUP/VERSION (APIResourceList), built from the
// resource registry, so CRD-defined resources appear as soon as the CRD is created.
// Only the legacy (unaggregated) discovery format is served; kubectl falls back to it.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/fakes/kube/resource_types.h"

namespace keyroll::fakes {

// The discovery document for `path`, or nullopt when path is not a discovery path
// (or names a group/version nobody serves).
std::optional<nlohmann::json> DiscoveryDocument(const ResourceRegistry& registry,
                                                const std::string& path,
                                                const std::string& server_address);

}  // namespace keyroll::fakes
