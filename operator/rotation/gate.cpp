// gate.cpp — the gate policies; see gate.h.
#include "operator/rotation/gate.h"

#include <array>
#include <functional>

#include "operator/rotation/duration.h"
#include "operator/rotation/vocabulary.h"

namespace keyroll::rotation {
namespace {

// "api (msg), worker (msg)" for consumers matching `pred`, at most 5 named.
std::string ListConsumers(const std::vector<ConsumerJudgement>& consumers,
                          const std::function<bool(const ConsumerJudgement&)>& pred,
                          size_t* count) {
  std::string out;
  size_t n = 0;
  for (const auto& c : consumers) {
    if (!pred(c)) continue;
    if (++n <= 5)
      out += (out.empty() ? "" : ", ") + DisplayName(c.kind, c.name) + (c.message.empty() ? "" : " (" + c.message + ")");
  }
  if (n > 5) out += " and " + std::to_string(n - 5) + " more";
  *count = n;
  return out;
}

std::optional<Violation> ConsumersIn(const GateInput& in, std::string_view reason,
                                     std::string_view what,
                                     const std::function<bool(const ConsumerJudgement&)>& pred) {
  size_t n = 0;
  std::string names = ListConsumers(in.consumers, pred, &n);
  if (n == 0) return std::nullopt;
  return Violation{std::string(reason), std::string(what) + ": " + names};
}

}  // namespace

std::optional<Violation> AccountConflict(const GateInput& in) {
  if (!in.account_conflict_with) return std::nullopt;
  return Violation{std::string(vocab::kReasonConflict),
                   "SigningKeyRotation \"" + *in.account_conflict_with +
                       "\" (older) manages the same provider account; this one only syncs"};
}

std::optional<Violation> Suspended(const GateInput& in) {
  if (!in.spec.rotation.suspend) return std::nullopt;
  return Violation{std::string(vocab::kReasonSuspended),
                   "spec.rotation.suspend is true: keys are synced but never rotated"};
}

std::optional<Violation> ProviderUnavailable(const GateInput& in) {
  if (!in.provider_error) return std::nullopt;
  return Violation{std::string(vocab::kReasonProviderError),
                   std::string("cannot read the provider's keys (") + ToString(in.provider_error->kind) +
                       "): " + in.provider_error->message};
}

std::optional<Violation> SecretConflict(const GateInput& in) {
  if (in.secret != SecretState::Conflict) return std::nullopt;
  return Violation{std::string(vocab::kReasonSecretConflict),
                   "Secret \"" + in.spec.target.secret_name + "\" exists and is not managed by keyroll"};
}

std::optional<Violation> SecretDiffersFromProvider(const GateInput& in) {
  if (in.secret == SecretState::Missing)
    return Violation{std::string(vocab::kReasonSecretDiffersFromProvider),
                     "Secret \"" + in.spec.target.secret_name + "\" does not exist yet"};
  if (in.secret == SecretState::Differs)
    return Violation{std::string(vocab::kReasonSecretDiffersFromProvider),
                     "Secret \"" + in.spec.target.secret_name + "\" does not hold the provider's keys yet"};
  return std::nullopt;
}

std::optional<Violation> Drift(const GateInput& in) {
  if (in.keys_origin != vocab::kReasonDrift && in.keys_origin != vocab::kReasonOutOfBandRotation)
    return std::nullopt;
  return ConsumersIn(in, vocab::kReasonDrift,
                     "keys were rotated outside keyroll; waiting for consumers to load them",
                     [](const ConsumerJudgement& c) { return c.state != ConsumerState::UpToDate; });
}

std::optional<Violation> ConsumerNotFound(const GateInput& in) {
  return ConsumersIn(in, vocab::kReasonConsumerNotFound, "declared consumers not found",
                     [](const ConsumerJudgement& c) { return c.state == ConsumerState::NotFound; });
}

std::optional<Violation> ConsumerRolloutFailed(const GateInput& in) {
  return ConsumersIn(in, vocab::kReasonConsumerRolloutFailed, "consumer rollouts failed",
                     [](const ConsumerJudgement& c) { return c.state == ConsumerState::RolloutFailed; });
}

std::optional<Violation> ConsumerCannotComplete(const GateInput& in) {
  return ConsumersIn(in, vocab::kReasonConsumerCannotComplete, "consumer rollouts cannot complete by themselves",
                     [](const ConsumerJudgement& c) { return c.state == ConsumerState::CannotComplete; });
}

std::optional<Violation> ConsumerStale(const GateInput& in) {
  return ConsumersIn(in, vocab::kReasonConsumerStale, "consumers not up to date with the current keys",
                     [](const ConsumerJudgement& c) { return c.state != ConsumerState::UpToDate; });
}

std::optional<Time> MinIntervalEnd(const Spec& spec, const Status& status, Time now) {
  if (!status.last_rotation_time) return std::nullopt;
  Time end = *status.last_rotation_time + spec.rotation.min_interval;
  if (now >= end) return std::nullopt;
  return end;
}

std::optional<Violation> MinIntervalNotElapsed(const GateInput& in) {
  auto end = MinIntervalEnd(in.spec, in.status, in.now);
  if (!end) return std::nullopt;
  return Violation{std::string(vocab::kReasonMinIntervalNotElapsed),
                   "minInterval " + FormatDuration(in.spec.rotation.min_interval) +
                       " since the last rotation has not passed; next rotation allowed at " +
                       FormatTimestamp(*end)};
}

std::span<const NamedPolicy> GateChain() {
  static constexpr std::array<NamedPolicy, 11> kChain{{
      {"AccountConflict", AccountConflict},
      {"Suspended", Suspended},
      {"ProviderUnavailable", ProviderUnavailable},
      {"SecretConflict", SecretConflict},
      {"Drift", Drift},
      {"SecretDiffersFromProvider", SecretDiffersFromProvider},
      {"ConsumerNotFound", ConsumerNotFound},
      {"ConsumerRolloutFailed", ConsumerRolloutFailed},
      {"ConsumerCannotComplete", ConsumerCannotComplete},
      {"ConsumerStale", ConsumerStale},
      {"MinIntervalNotElapsed", MinIntervalNotElapsed},
  }};
  return kChain;
}

std::optional<Violation> EvaluateGate(const GateInput& in) {
  for (const auto& p : GateChain())
    if (auto v = p.check(in)) return v;
  return std::nullopt;
}

}  // namespace keyroll::rotation
