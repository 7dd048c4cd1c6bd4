// status_progress.cpp — see status_progress.h.
#include "operator/rotation/status_progress.h"

#include <algorithm>

#include "operator/rotation/conditions.h"
#include "operator/rotation/judge_consumers.h"
#include "operator/rotation/vocabulary.h"

namespace keyroll::rotation {
namespace {

bool SameExceptMessage(const Condition& a, const Condition& b) {
  return a.type == b.type && a.status == b.status && a.observed_generation == b.observed_generation &&
         a.last_transition_time == b.last_transition_time && a.reason == b.reason;
}

bool ConsumerProgress(const ConsumerStatus& a, const ConsumerStatus& b, const std::string& keys_hash) {
  if (a.kind != b.kind || a.name != b.name) return false;
  if (a.restarts == b.restarts && a.restarted_keys_hash == b.restarted_keys_hash) return true;
  return a.restarts == 0 && b.restarts == 1 && !keys_hash.empty() && b.restarted_keys_hash == keys_hash;
}

}  // namespace

bool OnlyProgress(const Status& written, const Status& next) {
  // Only while consumers roll out in batches (one waits for a restart slot): elsewhere a changed
  // message is news (a provider error's retry time, the one rollout a rotation waits for).
  const Condition* consumers = FindCondition(written.conditions, vocab::kCondConsumersUpToDate);
  if (!consumers || consumers->reason != vocab::kReasonConsumerStale) return false;
  if (std::none_of(written.consumers.begin(), written.consumers.end(), [](const ConsumerStatus& c) {
        return !c.up_to_date && c.message.starts_with(kWaitingForRestartSlot);
      }))
    return false;
  if (written.conditions.size() != next.conditions.size() || written.consumers.size() != next.consumers.size())
    return false;
  for (size_t i = 0; i < written.conditions.size(); ++i) {
    if (!SameExceptMessage(written.conditions[i], next.conditions[i])) return false;
    if (written.conditions[i].type == vocab::kCondKeysSynced && written.conditions[i] != next.conditions[i]) return false;
  }
  const std::string keys_hash = written.keys ? written.keys->keys_hash : "";
  for (size_t i = 0; i < written.consumers.size(); ++i)
    if (!ConsumerProgress(written.consumers[i], next.consumers[i], keys_hash)) return false;
  // Everything else must be equal: compare copies with the progress fields made alike.
  Status a = written, b = next;
  a.conditions.clear();
  b.conditions.clear();
  a.consumers.clear();
  b.consumers.clear();
  a.consumers_ready = b.consumers_ready;
  return a == b;
}

}  // namespace keyroll::rotation
