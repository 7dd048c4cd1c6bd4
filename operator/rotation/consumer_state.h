// consumer_state.h — is one consumer Deployment up to date with a keysHash?
// Exactly as DESIGN.md says:
//  - RolloutRestart: pod template annotation keyroll.dev/keys-hash == keysHash AND the
//    rollout is complete as `kubectl rollout status` judges it
//    (observedGeneration >= generation, updatedReplicas == replicas,
//     status.replicas == updatedReplicas, availableReplicas >= updatedReplicas);
//  - None: Deployment annotation keyroll.dev/observed-keys-hash == keysHash.
//  - Progressing=False reason ProgressDeadlineExceeded: failed (either policy).
//  - A declared name that does not exist: NotFound (blocks, so a typo cannot pass).
#pragma once

#include <string>
#include <string_view>

#include "operator/rotation/observed.h"
#include "operator/rotation/spec.h"

namespace keyroll::rotation {

enum class ConsumerState { UpToDate, Stale, RollingOut, RolloutFailed, NotFound };

struct ConsumerJudgement {
  std::string name;
  ConsumerState state = ConsumerState::Stale;
  std::string message;           // "" when up to date
  bool needs_restart = false;    // RolloutRestart and template hash != keysHash
  bool restart_in_flight = false;  // template hash == keysHash, rollout not complete
  bool operator==(const ConsumerJudgement&) const = default;
};

bool RolloutComplete(const ObservedDeployment& d);
bool RolloutFailed(const ObservedDeployment& d);
ConsumerJudgement JudgeConsumer(const ObservedDeployment& d, RestartPolicy policy,
                                std::string_view keys_hash);

}  // namespace keyroll::rotation
