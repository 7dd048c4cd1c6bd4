// rotate_cmd.cpp — see rotate_cmd.h.
#include "cli/rotate_cmd.h"

#include <random>
#include <thread>

#include "cli/cluster_state.h"
#include "cli/colour.h"
#include "cli/errors.h"
#include "operator/kube/errors.h"
#include "operator/rotation/conditions.h"
#include "operator/rotation/gate.h"
#include "operator/rotation/parse_spec.h"
#include "operator/rotation/vocabulary.h"

namespace keyroll::cli {

namespace vocab = rotation::vocab;
using Clock = std::chrono::steady_clock;

namespace {

// Holds a person has to resolve; waiting longer changes nothing.
bool HoldIsFinal(const std::string& reason) {
  for (auto r : {vocab::kReasonSuspended, vocab::kReasonConflict, vocab::kReasonSecretConflict,
                 vocab::kReasonConsumerNotFound, vocab::kReasonConsumerRolloutFailed})
    if (reason == r) return true;
  return false;
}

rotation::Time WallNow() {
  return std::chrono::time_point_cast<rotation::Seconds>(std::chrono::system_clock::now());
}

// A value never used before: the UTC second plus random bits (two people, one second).
std::string NewRequestValue() {
  auto now = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  std::string t = rotation::FormatTimestamp(now);  // 2026-12-06T06:40:00Z
  std::string compact;
  for (char c : t)
    if (c != '-' && c != ':') compact += c;
  std::random_device rd;
  char suffix[9];
  std::snprintf(suffix, sizeof suffix, "%08x", rd());
  return "cli-" + compact + "-" + std::string(suffix, 4);
}

}  // namespace

RotationVerdict JudgeRotation(const rotation::ObservedResource& r, const std::string& request,
                              int64_t count_before, const std::vector<EventView>& fresh, rotation::Time now,
                              rotation::Time deadline) {
  const rotation::Status& st = r.status;
  if (!r.spec.ok())
    return {RotationOutcome::Failed, "the spec is invalid: " + rotation::JoinFieldErrors(r.spec.error())};
  for (const auto& e : fresh)
    if (e.reason == vocab::kEventRotationFailed || e.reason == vocab::kEventRotationNotApplied ||
        e.reason == vocab::kEventDrift)
      return {RotationOutcome::Failed, e.reason + ": " + e.message};
  if (st.last_handled_rotate_request == request && !st.pending_rotation) {
    if (st.rotation_count > count_before && st.keys)
      return {RotationOutcome::Rotated, "keys rotated: current " + st.keys->current_fingerprint + ", next " +
                                            st.keys->next_fingerprint + " (rotation " +
                                            std::to_string(st.rotation_count) + ")"};
    const auto* synced = rotation::FindCondition(st.conditions, vocab::kCondKeysSynced);
    return {RotationOutcome::Failed,
            "the request was handled without a keyroll rotation" +
                (synced ? " (" + synced->reason + ": " + synced->message + ")" : "")};
  }
  if (st.pending_rotation) return {};  // the provider call is in flight
  const auto* allowed = rotation::FindCondition(st.conditions, vocab::kCondRotationAllowed);
  if (!allowed || allowed->status != vocab::kFalse) return {};
  auto interval_end = rotation::MinIntervalEnd(r.spec.value(), st, now);
  bool outlasts =
      allowed->reason == vocab::kReasonMinIntervalNotElapsed && interval_end && *interval_end > deadline;
  if (now >= deadline || HoldIsFinal(allowed->reason) || outlasts)
    return {RotationOutcome::Held, allowed->reason + ": " + allowed->message};
  return {};
}

int RunRotate(const GlobalOptions& options, const std::string& name, const RotateOptions& ro,
              std::ostream& out) {
  Session session = Connect(options);
  kube::Client& client = *session.client;
  const std::string what =
      std::string(vocab::kKind) + " \"" + name + "\" in namespace \"" + session.ns + "\"";
  auto before = rotation::ParseResource(ReadResource(client, session.ns, name));
  // A request on an invalid spec would only wait: say so and change nothing.
  if (!before.spec.ok())
    throw CliError(kExitFailed,
                   "not requested: the spec is invalid: " + rotation::JoinFieldErrors(before.spec.error()));
  EventTracker events;
  if (ro.wait) events.Fresh(ResourceEvents(client, session.ns, name));  // the past is not news

  const std::string value = NewRequestValue();
  nlohmann::json patch = {
      {"metadata", {{"annotations", {{std::string(vocab::kAnnotationRotateRequest), value}}}}}};
  auto patched = client.MergePatch(kube::resources::kSigningKeyRotations, session.ns, name, patch);
  if (!patched) throw FromKubeSkr(patched.error(), what);
  out << "rotation requested: " << vocab::kAnnotationRotateRequest << "=" << value << "\n";
  if (!ro.wait) {
    out << "follow it with: kubectl keyroll status " << name << " -n " << session.ns << "\n";
    return kExitOk;
  }

  const auto deadline = Clock::now() + ro.timeout;
  const auto wall_deadline = WallNow() + std::chrono::duration_cast<rotation::Seconds>(ro.timeout);
  std::string last_phase = before.status.phase;
  for (;;) {
    const bool over = Clock::now() >= deadline;
    auto latest = rotation::ParseResource(ReadResource(client, session.ns, name));
    auto fresh = events.Fresh(ResourceEvents(client, session.ns, name));
    for (const auto& e : fresh) out << "  event " << e.type << " " << e.reason << ": " << e.message << "\n";
    if (latest.status.phase != last_phase) out << "  phase " << (last_phase = latest.status.phase) << "\n";
    RotationVerdict v = JudgeRotation(latest, value, before.status.rotation_count, fresh,
                                      over ? wall_deadline : WallNow(), wall_deadline);
    switch (v.outcome) {
      case RotationOutcome::Rotated:
        return out << Paint("rotated") << ": " << v.message << "\n", kExitOk;
      case RotationOutcome::Held:
        out << Paint("held") << ": " << v.message << "\n"
            << "the request stays queued: keyroll rotates once the gate opens (kubectl keyroll why " << name
            << ")\n";
        return kExitHeld;
      case RotationOutcome::Failed:
        return out << Paint("failed") << ": " << v.message << "\n", kExitFailed;
      case RotationOutcome::Waiting:
        break;
    }
    if (over) {
      out << "timed out after " << ro.timeout.count() << "s: the rotation is neither done nor held"
          << (latest.status.pending_rotation ? " (the provider call is in flight)"
                                             : " (is the operator running?)")
          << "\n";
      return kExitTimeout;
    }
    std::this_thread::sleep_for(ro.poll);
  }
}

}  // namespace keyroll::cli
