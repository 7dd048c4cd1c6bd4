// conditions.h — metav1.Condition bookkeeping as Kubernetes' meta.SetStatusCondition
// does it: lastTransitionTime moves only when the status value changes.
#pragma once

#include <string_view>
#include <vector>

#include "operator/rotation/status.h"

namespace keyroll::rotation {

const Condition* FindCondition(const std::vector<Condition>& conditions, std::string_view type);

// Sets (or adds) the condition `type`; keeps lastTransitionTime when status is unchanged.
void SetCondition(std::vector<Condition>& conditions, std::string_view type,
                  std::string_view status, std::string_view reason, std::string message,
                  int64_t generation, Time now);

}  // namespace keyroll::rotation
