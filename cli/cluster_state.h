// cluster_state: what the CLI reads from the cluster for one SigningKeyRotation, assembled
// into the operator's own rotation::Observed (with the controller's projections), so that
// `why` runs the real gate and Decide on it. Provider state comes from status (what the
// operator last read), not from the provider.
//
// This is the only file of cli/ that knows the consumer model of operator/rotation
// (ObservedWorkload): the rest sees ConsumerView.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "operator/kube/client.h"
#include "operator/rotation/observed.h"

namespace keyroll::cli {

// One consumer as the CLI shows it.
struct ConsumerView {
  std::string kind = "Deployment";
  std::string name;
  std::string source;  // declared | selected | discovered
  bool found = true;
  std::string template_keys_hash;  // pod template keyroll.dev/keys-hash ("" if none)
  std::string observed_keys_hash;  // keyroll.dev/observed-keys-hash ("" if none)
  std::string rollout;  // complete | the rollout's state in a few words | failed: ... | not found
  // Judged as the operator judges it (rotation::JudgeConsumer) against the keysHash of the
  // Secret as it is now: up to date | stale | rolling out | rollout failed | cannot complete |
  // not found.
  std::string state;
  std::string message;
};

struct ClusterState {
  nlohmann::json resource;  // the SigningKeyRotation as read
  rotation::Observed observed;
  std::vector<ConsumerView> consumers;
};

// GET the resource. Throws CliError (not found, forbidden, no cluster).
nlohmann::json ReadResource(kube::Client& client, const std::string& ns, const std::string& name);

// The resource, its target Secret (fingerprints only are kept) and its consumers, with the
// provider's keys taken from status (read_at = now, so Decide asks for no read).
ClusterState ReadClusterState(kube::Client& client, const std::string& ns, const std::string& name,
                              rotation::Time now);

}  // namespace keyroll::cli
