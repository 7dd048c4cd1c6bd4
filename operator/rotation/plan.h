// plan.h — what Decide asks the controller to do. Only names, fingerprints and hashes:
// the controller holds the raw keys and writes them where the plan says.
// See decide.h for the order in which a plan is applied and which writes need
// preconditions.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "operator/rotation/observed.h"
#include "operator/rotation/status.h"

namespace keyroll::rotation {

enum class SecretOp { None, Create, Update };

// Create: a new Secret (type Opaque) named `name` with data[current_key]/data[next_key]
// = the provider's raw keys, these labels/annotations and, when owner_reference, an
// ownerReference to the resource (controller: true, blockOwnerDeletion: true).
// Update (PUT with the observed resourceVersion as precondition): when write_keys, set
// the two data keys (and the provider's extra entries, keys.extra_fingerprints: Auth0's
// jwks.json) to the provider's raw keys; ensure these labels/annotations are
// present with these values (others are left alone); add our ownerReference when
// owner_reference, remove it when not.
// Before writing, the controller checks that its raw keys hash to `keys` (they were read
// together); if not, it writes nothing and requeues.
struct SecretWrite {
  SecretOp op = SecretOp::None;
  std::string name;
  bool write_keys = false;
  std::string current_key;
  std::string next_key;
  ProviderKeys keys;
  StringMap labels;
  StringMap annotations;
  bool owner_reference = false;
  bool operator==(const SecretWrite&) const = default;
};

// Set spec.template.metadata.annotations[keyroll.dev/keys-hash] = keys_hash on the
// workload (a merge patch; idempotent: the same hash never causes a second rollout).
struct ConsumerRestart {
  WorkloadKind kind = WorkloadKind::Deployment;
  std::string name;
  std::string keys_hash;
  bool operator==(const ConsumerRestart&) const = default;
};

struct Event {
  std::string type;  // Normal | Warning
  std::string reason;
  std::string message;
  bool operator==(const Event&) const = default;
};

struct Plan {
  // Read the provider's keys now and call Decide again with them. When set, nothing
  // else in the plan is meaningful.
  bool read_provider = false;
  SecretWrite secret;
  std::vector<ConsumerRestart> restarts;
  // The complete status to write (status subresource, resourceVersion precondition);
  // nullopt = status unchanged, write nothing.
  std::optional<Status> status;
  // After `status` (which then holds pendingRotation) was written successfully: call the
  // provider's rotate exactly once, then call Decide again with Observed::rotate_outcome.
  bool rotate = false;
  // Once the status on record holds pendingRevocation for this key (`status`, which records
  // it, was written; or it was on record already): revoke this key (Auth0's previous key)
  // exactly once, then call Decide again with Observed::revoke_outcome.
  // "" = nothing to revoke. Never together with `rotate`.
  std::string revoke_kid;
  std::vector<Event> events;
  // Reconcile again after this long (schedule, refresh, minInterval end, settle time).
  std::optional<Seconds> requeue_after;
  // A transient failure was seen: requeue with the workqueue's per-key backoff.
  bool backoff = false;
  // For keyroll_rotations_total{result}: "", succeeded, failed, not_applied, drift.
  std::string rotation_result;
  // For keyroll_revocations_total{result}: "", succeeded, failed, not_previous.
  std::string revoke_result;
  bool operator==(const Plan&) const = default;
};

// True when the plan changes nothing anywhere (no read, no write, no call, no event).
bool MakesNoChanges(const Plan& plan);
// For logs and tests.
nlohmann::json PlanToJson(const Plan& plan);

}  // namespace keyroll::rotation
