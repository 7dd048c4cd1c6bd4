// gate.h — the consumer gate: may keyroll rotate now? A chain of small named pure
// policies (cert-manager style), each answering a Violation {reason, message} or nothing.
// The chain stops at the first violation; its reason and message become
// RotationAllowed=False, so `kubectl describe skr` names the policy that holds the
// rotation. Order (most structural first):
//   AccountConflict, Suspended, ProviderUnavailable, SecretConflict, Drift,
//   SecretDiffersFromProvider, ConsumerNotFound, ConsumerRolloutFailed,
//   ConsumerCannotComplete, ConsumerStale, MinIntervalNotElapsed
// The policies judge the world as observed before this reconcile's writes (so while a
// Secret is being created the reason is SecretDiffersFromProvider; the next reconcile
// moves on to the consumers).
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "operator/rotation/consumer_state.h"
#include "operator/rotation/observed.h"
#include "operator/rotation/spec.h"
#include "operator/rotation/status.h"

namespace keyroll::rotation {

// The target Secret compared with the provider's keys (as observed, before any write).
enum class SecretState { InSync, Missing, Differs, Conflict };

struct GateInput {
  const Spec& spec;
  const Status& status;                         // status as Decide will write it
  std::optional<ProviderError> provider_error;  // set when the provider's keys are unknown
  SecretState secret = SecretState::InSync;
  const std::vector<ConsumerJudgement>& consumers;  // judged against the provider keysHash
  std::optional<std::string> account_conflict_with;
  std::string keys_origin;  // KeysSynced reason: Drift / OutOfBandRotation arm the Drift policy
  Time now{};
};

struct Violation {
  std::string reason;
  std::string message;
  bool operator==(const Violation&) const = default;
};

using GatePolicy = std::optional<Violation> (*)(const GateInput&);
struct NamedPolicy {
  std::string_view name;
  GatePolicy check;
};

std::optional<Violation> AccountConflict(const GateInput& in);
std::optional<Violation> Suspended(const GateInput& in);
std::optional<Violation> ProviderUnavailable(const GateInput& in);
std::optional<Violation> SecretConflict(const GateInput& in);
std::optional<Violation> SecretDiffersFromProvider(const GateInput& in);
std::optional<Violation> Drift(const GateInput& in);
std::optional<Violation> ConsumerNotFound(const GateInput& in);
std::optional<Violation> ConsumerRolloutFailed(const GateInput& in);
std::optional<Violation> ConsumerCannotComplete(const GateInput& in);
std::optional<Violation> ConsumerStale(const GateInput& in);
std::optional<Violation> MinIntervalNotElapsed(const GateInput& in);

std::span<const NamedPolicy> GateChain();
std::optional<Violation> EvaluateGate(const GateInput& in);

// When MinIntervalNotElapsed stops holding (nullopt if it does not hold at `now`).
std::optional<Time> MinIntervalEnd(const Spec& spec, const Status& status, Time now);

}  // namespace keyroll::rotation
