// policy.h — is a rotation due, and when is the next one? Pure functions of the rotation
// policy, the status and `now`.
//  - requestID: due when spec.rotation.requestID is non-empty and differs from
//    status.lastHandledRequestID.
//  - rotate-request annotation: due when non-empty and differs from
//    status.lastHandledRotateRequest (tracked separately, same rule).
//  - schedule: due when now >= the first fire time after the anchor; the anchor is
//    status.lastRotationTime, or metadata.creationTimestamp when never rotated. Missed
//    fire times do not pile up: one rotation, then the next fire after it.
//  - maxKeyAge: due when now >= keys.syncedAt + maxKeyAge. syncedAt is when keyroll first
//    saw the current provider keys (a keyroll rotation, an out-of-band one, or the first
//    sync — a key's age before keyroll managed it is unknown and counts from then).
// Suspend is not decided here: it is a gate policy (rotations wait, are never dropped).
// Requests present on the first sync (no status.keys yet) are adopted as handled without
// rotating: creating a resource is not a request to rotate (see AdoptRequests).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "operator/rotation/spec.h"
#include "operator/rotation/status.h"

namespace keyroll::rotation {

enum class TriggerKind { RequestID, RotateRequest, Schedule, MaxKeyAge };
const char* ToString(TriggerKind kind);

struct Trigger {
  TriggerKind kind = TriggerKind::RequestID;
  std::string message;  // e.g. "schedule \"0 3 * * 1\" fired at 2026-11-23T03:00:00Z"
  bool operator==(const Trigger&) const = default;
};

struct PolicyInput {
  const RotationPolicy& rotation;
  const Status& status;
  std::string_view rotate_request;  // metadata.annotations[keyroll.dev/rotate-request]
  std::optional<Time> created;      // metadata.creationTimestamp
};

// The first reason a rotation is due at `now`, requests first (so they get recorded).
std::optional<Trigger> RotationDue(const PolicyInput& in, Time now);

// Earliest of the schedule's and maxKeyAge's due times (may be in the past when a due
// rotation waits at the gate); nullopt without schedule/maxKeyAge or when suspended.
std::optional<Time> NextRotationTime(const PolicyInput& in);

// On the first sync, mark the current requestID/rotate-request as handled.
void AdoptRequests(const PolicyInput& in, Status& status);

}  // namespace keyroll::rotation
