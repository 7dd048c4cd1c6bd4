// judge_consumers.cpp — see judge_consumers.h.
#include "operator/rotation/judge_consumers.h"

#include <algorithm>
#include <tuple>

namespace keyroll::rotation {
namespace {

// The restart patches already made for `hash` on this consumer, as the status recorded them.
// A spec change (a new generation: e.g. after the GitOps tool was told to ignore the
// annotation) starts the count again.
int64_t RestartsSoFar(const Observed& o, const ConsumerJudgement& j, const std::string& hash) {
  const Status& old = o.resource.status;
  if (old.observed_generation != o.resource.meta.generation) return 0;
  for (const auto& s : old.consumers)
    if (s.kind == KindName(j.kind) && s.name == j.name) return s.restarted_keys_hash == hash ? s.restarts : 0;
  return 0;
}

std::string RevertedMessage(const ConsumerJudgement& j) {
  return "keyroll set keyroll.dev/keys-hash on its pod template " + std::to_string(j.restarts) +
         " times and each time something removed it again (a GitOps sync?); keyroll stopped patching it. "
         "Tell the tool to ignore that annotation (Argo CD: ignoreDifferences with jsonPointers "
         "/spec/template/metadata/annotations/keyroll.dev~1keys-hash; Flux: a drift ignore rule for it), or use "
         "consumers.restart: None; then edit the SigningKeyRotation's spec to let keyroll try again";
}

}  // namespace

std::vector<ConsumerJudgement> JudgeConsumers(const Observed& o, const Spec& spec, const std::string& hash, Time now) {
  // By name, then kind (a Deployment and a StatefulSet may share a name).
  auto key = [](const ObservedWorkload& w) { return std::tie(w.name, w.kind); };
  std::vector<ObservedWorkload> sorted = o.consumers;
  std::sort(sorted.begin(), sorted.end(), [&](const auto& a, const auto& b) { return key(a) < key(b); });
  sorted.erase(std::unique(sorted.begin(), sorted.end(), [&](const auto& a, const auto& b) { return key(a) == key(b); }),
               sorted.end());
  // When the keys consumers must hold were written: as the status recorded them, or now (they
  // are being written). A Job that started before holds the keys of before.
  const auto& old_keys = o.resource.status.keys;
  const std::optional<Time> keys_written_at =
      old_keys && old_keys->keys_hash == hash && old_keys->synced_at ? *old_keys->synced_at : now;
  std::vector<ConsumerJudgement> out;
  for (const auto& d : sorted) {
    if (!RollsOut(d.kind)) {
      if (!d.finished) out.push_back(JudgeJob(d, spec.consumers.running_jobs, keys_written_at));
      continue;
    }
    ConsumerJudgement j = JudgeConsumer(d, spec.consumers.restart, hash);
    j.restarts = RestartsSoFar(o, j, hash);
    if (j.restarts > 0) j.restarted_keys_hash = hash;
    if (j.needs_restart && j.restarts >= kMaxRestartAttempts) {
      j.needs_restart = false;
      j.state = ConsumerState::CannotComplete;
      j.message = RevertedMessage(j);
    }
    out.push_back(std::move(j));
  }
  return out;
}

}  // namespace keyroll::rotation
