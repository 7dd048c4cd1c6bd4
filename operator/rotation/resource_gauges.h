// resource_gauges.h — what keyroll's per-resource gauges say about one SigningKeyRotation,
// as a pure function of the resource as last decided (spec, status, annotations) and `now`.
// The controller feeds these to operator/http/metrics.h after every reconcile. Only names,
// reasons and times: never key material.
//  - blocked_reason: the gate's reason (RotationAllowed's, one of vocab::kBlockedReasons)
//    while a rotation is due (policy.h: request, schedule, maxKeyAge) and the gate holds it;
//    "" otherwise (nothing due, a rotation in progress, or an invalid spec).
//  - ready: the Ready condition is True.
//  - max_key_age: spec.rotation.maxKeyAge, when set (the per-resource KeyTooOld threshold).
#pragma once

#include <optional>
#include <string>

#include "operator/rotation/observed.h"

namespace keyroll::rotation {

struct ResourceGauges {
  std::string blocked_reason;
  bool ready = false;
  std::optional<Seconds> max_key_age;
  bool operator==(const ResourceGauges&) const = default;
};

ResourceGauges GaugesOf(const ObservedResource& resource, Time now);

}  // namespace keyroll::rotation
