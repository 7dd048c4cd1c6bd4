// resource_gauges.cpp — see resource_gauges.h.
#include "operator/rotation/resource_gauges.h"

#include "operator/rotation/conditions.h"
#include "operator/rotation/policy.h"
#include "operator/rotation/vocabulary.h"

namespace keyroll::rotation {

ResourceGauges GaugesOf(const ObservedResource& r, Time now) {
  ResourceGauges g;
  const Status& s = r.status;
  const Condition* ready = FindCondition(s.conditions, vocab::kCondReady);
  g.ready = ready && ready->status == vocab::kTrue;
  if (!r.spec.ok()) return g;
  const Spec& spec = r.spec.value();
  g.max_key_age = spec.rotation.max_key_age;
  if (s.pending_rotation) return g;  // rotating, not blocked
  const Condition* allowed = FindCondition(s.conditions, vocab::kCondRotationAllowed);
  if (!allowed || allowed->status != vocab::kFalse || allowed->reason == vocab::kReasonRotationPending) return g;
  auto it = r.meta.annotations.find(std::string(vocab::kAnnotationRotateRequest));
  std::string_view request = it == r.meta.annotations.end() ? std::string_view() : std::string_view(it->second);
  if (RotationDue(PolicyInput{spec.rotation, s, request, r.meta.creation_timestamp}, now))
    g.blocked_reason = allowed->reason;
  return g;
}

}  // namespace keyroll::rotation
