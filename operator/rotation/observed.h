// observed.h — the observed world for one SigningKeyRotation, as the controller assembles
// it from its caches and the provider before calling Decide. Only fingerprints and
// hashes: the controller keeps raw keys to itself.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "operator/rotation/field_error.h"
#include "operator/rotation/result.h"
#include "operator/rotation/spec.h"
#include "operator/rotation/status.h"
#include "operator/rotation/timestamp.h"

namespace keyroll::rotation {

struct ResourceMeta {
  std::string name;
  std::string namespace_;
  std::string uid;
  std::string resource_version;  // the precondition for every status write
  int64_t generation = 0;
  std::optional<Time> creation_timestamp;
  bool deleting = false;  // metadata.deletionTimestamp is set
  StringMap annotations;
  bool operator==(const ResourceMeta&) const = default;
};

struct ObservedResource {
  ResourceMeta meta;
  Result<Spec, FieldErrors> spec = Err{FieldErrors{{"spec", "not parsed"}}};
  Status status;
};

// The target Secret as seen. `exists == false` means NotFound.
struct ObservedSecret {
  bool exists = false;
  bool owner_reference_to_resource = false;  // an ownerReference with the resource's uid
  StringMap labels;
  StringMap annotations;
  // Fingerprints of data[currentKey] / data[nextKey]; nullopt when the key is absent.
  std::optional<std::string> current_fingerprint;
  std::optional<std::string> next_fingerprint;
  std::string keys_hash;  // KeysHash(current, next) when both are present, else ""
  // Fingerprint of every data entry, by data key (for the providers' extra entries, e.g.
  // Auth0's jwks.json, which change without current/next changing when a key is revoked).
  StringMap data_fingerprints;
  bool operator==(const ObservedSecret&) const = default;
};

// What a provider answered: its key set as fingerprints and keysHash.
struct ProviderKeys {
  std::string current_fingerprint;
  std::string next_fingerprint;
  std::string keys_hash;
  // Further Secret entries the provider keeps there (Auth0: "jwks.json"), by data key:
  // their fingerprints. Part of "the Secret equals the provider", not of keysHash.
  // ({} initialisers: brace-built ProviderKeys of QStash may leave these out.)
  StringMap extra_fingerprints{};
  // Auth0's key ids (public identifiers; "" for providers without kids / no previous key).
  std::string current_kid{};
  std::string next_kid{};
  std::string previous_kid{};
  bool operator==(const ProviderKeys&) const = default;
};

// Provider failures by kind (message: short, never a token or key).
enum class ProviderErrorKind {
  Credentials,      // the token/client Secret is missing or lacks the key
  Unauthorized,     // 401: the token is wrong or revoked
  Forbidden,        // 403: the token may not do this
  RateLimited,      // 429
  Unavailable,      // 5xx, connection refused, TLS failure: nothing happened
  Timeout,          // no answer in time on a read
  OutcomeUnknown,   // a rotate or revoke whose answer was lost: it may have happened
  InvalidResponse,  // an answer that did not parse: changes nothing
  Rejected,         // a definite HTTP error answer: the operation was not done
  BadConfig         // an invalid URL or CA bundle in the spec
};
struct ProviderError {
  ProviderErrorKind kind = ProviderErrorKind::Unavailable;
  std::string message;
  bool operator==(const ProviderError&) const = default;
};
const char* ToString(ProviderErrorKind kind);

// The latest provider read (cached by the controller across reconciles, or not).
struct ObservedProvider {
  std::optional<Time> read_at;        // when the latest read was attempted; nullopt = never
  std::optional<ProviderKeys> keys;   // its answer, or
  std::optional<ProviderError> error; // its failure
  bool operator==(const ObservedProvider&) const = default;
};

// The answer of a rotate call made in THIS reconcile (after Plan::rotate).
struct RotateOutcome {
  std::optional<ProviderKeys> keys;   // success: the provider's keys after the rotate
  std::optional<ProviderError> error; // failure (any kind: the rotate may have happened)
  bool operator==(const RotateOutcome&) const = default;
};

// The answer of a revoke call made in THIS reconcile (after Plan::revoke_kid).
struct RevokeOutcome {
  std::string kid;                     // the key keyroll asked to revoke
  bool revoked = false;                // false with keys: it was no longer the previous key
  std::optional<ProviderKeys> keys;    // the provider's keys read after the call
  std::optional<ProviderError> error; // failure (Timeout: it may have happened)
  bool operator==(const RevokeOutcome&) const = default;
};

enum class ConsumerSource { Declared, Selected, Discovered };

// How many pods an OnDelete condition names ("and N more" for the rest).
inline constexpr size_t kMaxPodsNamed = 5;

// One consumer workload as its informer projection shows it. A declared name that does not
// exist has found == false. Fields a kind does not have keep their defaults.
struct ObservedWorkload {
  WorkloadKind kind = WorkloadKind::Deployment;
  std::string name;
  ConsumerSource source = ConsumerSource::Declared;
  bool found = true;
  int64_t generation = 0;
  int64_t observed_generation = 0;  // status.observedGeneration
  int32_t replicas = 1;             // spec.replicas (nil = 1): Deployment, StatefulSet
  int32_t status_replicas = 0;      // status.replicas
  int32_t updated_replicas = 0;
  int32_t available_replicas = 0;
  int32_t ready_replicas = 0;       // StatefulSet
  bool paused = false;              // Deployment
  // The Progressing condition, when present ("" otherwise): Deployment.
  std::string progressing_status;   // True | False | Unknown
  std::string progressing_reason;   // e.g. ProgressDeadlineExceeded
  // StatefulSet and DaemonSet: spec.updateStrategy.type ("" = RollingUpdate, the default).
  std::string update_strategy;
  // StatefulSet: spec.updateStrategy.rollingUpdate.partition, when rollingUpdate is set (a
  // real API server always sets it: {partition: 0}); the revisions of its pods.
  std::optional<int32_t> partition;
  std::string current_revision;
  std::string update_revision;
  // DaemonSet: status.desiredNumberScheduled, updatedNumberScheduled, numberAvailable.
  int32_t desired_number_scheduled = 0;
  int32_t updated_number_scheduled = 0;
  int32_t number_available = 0;
  // Job: status.active, status.startTime, and whether it finished (a Complete or Failed
  // condition, or a completionTime).
  int32_t active = 0;
  std::optional<Time> start_time;
  bool finished = false;
  // Argo Rollout: status.phase and status.message as its controller computes them (Healthy,
  // Progressing, Paused, Degraded), status.stableRS and status.currentPodHash, and an unpause
  // in flight (status.controllerPause without pauseConditions).
  std::string phase;
  std::string phase_message;
  std::string stable_rs;
  std::string current_pod_hash;
  bool unpausing = false;
  // A declared consumer whose kind the API server does not serve (Argo Rollouts not installed).
  bool kind_not_served = false;
  // "Kind/name" of an ownerReference with controller: true (e.g. a Knative Revision owns its
  // Deployment): that controller writes the template, so keyroll does not patch it.
  std::string controller_owner;
  // StatefulSet and DaemonSet with updateStrategy OnDelete whose rollout cannot complete by
  // itself: its pods still on an old template, the first kMaxPodsNamed by name, and how many
  // there are (the controller lists them only then; 0 = not listed).
  std::vector<std::string> pods_to_delete;
  int32_t pods_to_delete_count = 0;
  std::optional<std::string> template_keys_hash;  // pod template annotation keyroll.dev/keys-hash
  std::optional<std::string> observed_keys_hash;  // workload annotation keyroll.dev/observed-keys-hash
  bool operator==(const ObservedWorkload&) const = default;
};

// A "not applied" verdict on a pending rotation needs a provider read this long after the
// intent was written. The controller's provider call timeout must be well below it.
inline constexpr Seconds kPendingSettle{120};

struct Observed {
  ObservedResource resource;
  ObservedSecret secret;
  ObservedProvider provider;
  std::optional<RotateOutcome> rotate_outcome;
  std::optional<RevokeOutcome> revoke_outcome;
  std::vector<ObservedWorkload> consumers;  // declared + selected + discovered, deduplicated
  // Name of an OLDER SigningKeyRotation (by creationTimestamp, then name) that uses the
  // same provider account (same URL/domain and same credentials).
  std::optional<std::string> account_conflict_with;
  // How long after an intent a provider read must be before "the rotation did not happen"
  // is believed (kPendingSettle unless the operator was configured otherwise).
  Seconds pending_settle = kPendingSettle;
};

}  // namespace keyroll::rotation
