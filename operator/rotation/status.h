// status.h — SigningKeyRotation.status as plain value types. Every field the operator
// writes; compared with == so that "nothing changed" means "write nothing".
// Only fingerprints and hashes appear here, never key material.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "operator/rotation/timestamp.h"

namespace keyroll::rotation {

// metav1.Condition.
struct Condition {
  std::string type;
  std::string status;  // True | False | Unknown
  int64_t observed_generation = 0;
  Time last_transition_time{};
  std::string reason;
  std::string message;
  bool operator==(const Condition&) const = default;
};

struct KeysStatus {
  std::string current_fingerprint;
  std::string next_fingerprint;
  std::string keys_hash;
  // When these provider keys were first seen (= when the current key became current, as
  // far as keyroll knows). Changes only when the fingerprints change.
  std::optional<Time> synced_at;
  // Auth0 key ids (public; "" elsewhere). previousKid: the key used before the last
  // rotation while it is still valid ("" once revoked).
  std::string current_kid{};
  std::string next_kid{};
  std::string previous_kid{};
  bool operator==(const KeysStatus&) const = default;
};

// The recorded intent of a rotate call (crash-safe protocol, see decide.h).
struct PendingRotation {
  Time started_at{};
  std::string from_fingerprint;              // provider current before the call
  std::string expected_current_fingerprint;  // provider next before the call
  std::string trigger;                       // RequestID | RotateRequest | Schedule | MaxKeyAge
  std::string request_id;                    // spec.rotation.requestID at intent time
  std::string rotate_request;                // rotate-request annotation at intent time
  bool operator==(const PendingRotation&) const = default;
};

// The recorded intent of a revoke call (Auth0, rotation.revokePrevious; see decide.h). Written
// (and landed) before the call, so that the API server holds every revocation keyroll makes in
// its order: after a crash the next reconcile finds the intent, reads the provider afresh and
// tells a revocation that happened from one that did not, and the consumer gate can be judged
// from the server's record (the keys every consumer was judged to hold).
struct PendingRevocation {
  std::string kid;        // the provider's previous key, to be revoked (public identifier)
  Time started_at{};
  std::string keys_hash;  // status.keys.keysHash every consumer held when it was judged
  bool operator==(const PendingRevocation&) const = default;
};

struct ConsumerStatus {
  std::string kind = "Deployment";
  std::string name;
  bool up_to_date = false;
  std::string message;
  // Restart patches keyroll made for `restarted_keys_hash` (the keysHash it set on the pod
  // template). More than one means something removed the annotation again (a GitOps sync);
  // keyroll stops after kMaxRestartAttempts and says so (decide.cpp).
  int64_t restarts = 0;
  std::string restarted_keys_hash;
  bool operator==(const ConsumerStatus&) const = default;
};

struct Status {
  int64_t observed_generation = 0;
  std::string phase;
  std::optional<KeysStatus> keys;
  int64_t rotation_count = 0;
  std::optional<Time> last_rotation_time;
  std::optional<Time> next_rotation_time;
  std::string last_handled_request_id;
  std::string last_handled_rotate_request;  // value of keyroll.dev/rotate-request handled
  std::optional<PendingRotation> pending_rotation;
  std::optional<PendingRevocation> pending_revocation;
  std::vector<ConsumerStatus> consumers;    // sorted by name
  std::string consumers_ready;              // "2/3" for a printer column; "" before judged
  std::vector<Condition> conditions;        // Ready, KeysSynced, ConsumersUpToDate, RotationAllowed
  bool operator==(const Status&) const = default;
};

}  // namespace keyroll::rotation
