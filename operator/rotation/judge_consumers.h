// judge_consumers.h — every consumer of a resource judged against a keysHash, as Decide
// judges them before it spends the restart budget: sorted by name, then kind (duplicates
// dropped); finished Jobs left out (they read nothing any more); Jobs against when the keys
// were written; a restart annotation that something removed kMaxRestartAttempts times is
// CannotComplete (a GitOps tool syncing the template back). Decide and `kubectl keyroll why`
// both use it, so both judge alike.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "operator/rotation/consumer_state.h"
#include "operator/rotation/observed.h"

namespace keyroll::rotation {

// Restart patches a consumer may get for one keysHash (per spec generation). More means
// something keeps removing keyroll's annotation: fighting it only rolls the workload again
// and again.
inline constexpr int64_t kMaxRestartAttempts = 3;

// The start of a consumer's message while it waits for a restart slot (maxConcurrentRestarts).
inline constexpr std::string_view kWaitingForRestartSlot = "waiting for a restart slot";

std::vector<ConsumerJudgement> JudgeConsumers(const Observed& o, const Spec& spec, const std::string& hash, Time now);

// True for a judgement that stopped patching because the annotation kept being removed.
inline bool RestartReverted(const ConsumerJudgement& j) {
  return j.state == ConsumerState::CannotComplete && j.restarts >= kMaxRestartAttempts && !j.needs_restart &&
         !j.restarted_keys_hash.empty();
}

}  // namespace keyroll::rotation
