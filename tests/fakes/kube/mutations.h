// mutations: the write operations with every side effect a real cluster has: the namespace
// must exist, CRDs register and unregister their resources (deleting their objects), deleting
// a namespace deletes its contents (immediately, not via a Terminating phase), PUT and PATCH
// preconditions, status subresource rules. Used by the HTTP handlers and the library API.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "tests/fakes/kube/server_state.h"

namespace keyroll::fakes {

using json = nlohmann::json;

struct Target {
  ResourceType type;
  std::string version;
  std::string ns;    // "" for cluster-scoped
  std::string name;  // "" for create
};

// Each returns the object as stored (AsServed / ServedText make it the answer at a version).
Written CreateObject(ServerState& state, const Target& target, json body);
// PUT. status_only: the /status subresource.
Written ReplaceObject(ServerState& state, const Target& target, json body, bool status_only);
Written PatchObject(ServerState& state, const Target& target, const std::string& content_type,
                    const std::string& body, bool status_only);
// options: DeleteOptions (preconditions.uid / preconditions.resourceVersion honoured).
Written DeleteObject(ServerState& state, const Target& target, const json& options = nullptr);

}  // namespace keyroll::fakes
