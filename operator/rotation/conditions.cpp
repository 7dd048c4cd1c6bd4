// conditions.cpp — see conditions.h.
#include "operator/rotation/conditions.h"

namespace keyroll::rotation {

const Condition* FindCondition(const std::vector<Condition>& conditions, std::string_view type) {
  for (const auto& c : conditions)
    if (c.type == type) return &c;
  return nullptr;
}

void SetCondition(std::vector<Condition>& conditions, std::string_view type,
                  std::string_view status, std::string_view reason, std::string message,
                  int64_t generation, Time now) {
  if (message.size() > 1024) message = message.substr(0, 1021) + "...";
  for (auto& c : conditions) {
    if (c.type != type) continue;
    if (c.status != status) c.last_transition_time = now;
    c.status = std::string(status);
    c.reason = std::string(reason);
    c.message = std::move(message);
    c.observed_generation = generation;
    return;
  }
  conditions.push_back(Condition{std::string(type), std::string(status), generation, now,
                                 std::string(reason), std::move(message)});
}

}  // namespace keyroll::rotation
