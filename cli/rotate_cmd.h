// rotate_cmd: `kubectl keyroll rotate NAME [--wait] [--timeout D]` — asks for exactly one
// rotation by setting the annotation keyroll.dev/rotate-request to a new value (handled like
// a new spec.rotation.requestID). With --wait it follows status and events until the
// rotation is done (exit 0), held by the gate (kExitHeld, with the policy's message) or
// failed (kExitFailed); neither in time: kExitTimeout.
#pragma once

#include <chrono>
#include <ostream>
#include <string>
#include <vector>

#include "cli/events.h"
#include "cli/session.h"
#include "operator/rotation/observed.h"

namespace keyroll::cli {

enum class RotationOutcome { Waiting, Rotated, Held, Failed };

struct RotationVerdict {
  RotationOutcome outcome = RotationOutcome::Waiting;
  std::string message;
};

// Where the request stands at `now`. `count_before`: status.rotationCount when it was made;
// `fresh`: events since then. At or after `deadline` a hold of any kind is final; before it,
// only holds that cannot clear by themselves, or a minInterval that ends after the deadline.
RotationVerdict JudgeRotation(const rotation::ObservedResource& resource, const std::string& request,
                              int64_t count_before, const std::vector<EventView>& fresh, rotation::Time now,
                              rotation::Time deadline);

struct RotateOptions {
  bool wait = false;
  std::chrono::seconds timeout{300};
  std::chrono::milliseconds poll{500};
};

int RunRotate(const GlobalOptions& options, const std::string& name, const RotateOptions& rotate,
              std::ostream& out);

}  // namespace keyroll::cli
