// held_status: status progress not written yet (issue 17). A wave of restarts in batches (more
// consumers than maxConcurrentRestarts) wrote the status after every batch. A write that says
// only the wave's progress (rotation::OnlyProgress: the consumers' words and readiness,
// consumersReady, first restarts to the keys already written) is held here instead, and the next
// reconcile decides on it as if it had been written. It is written with the next write that is
// due anyway (a condition's transition: Ready at the end of the wave, or a failure), and at the
// latest kHoldAtMost after it was first held, so `kubectl get skr` is never further behind.
//
// Lost with the process. A crash loses at most one restart count per consumer, as a crash
// between a restart patch and its status write always could: the consumer's pod template
// carries keyroll.dev/keys-hash, so it is not restarted again unless something removes that,
// and a second restart for the same keys (the kMaxRestartAttempts guard's count) is never held.
#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "operator/rotation/status.h"

namespace keyroll::controller {

class HeldStatus {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::chrono::seconds kHoldAtMost{30};

  // Puts the status held for `key` in place of `status` (the resource's status as the API server
  // has it) and returns the latter; nullopt (and `status` untouched) when nothing is held on
  // that status (nothing held, or someone wrote the status since: the held one is dropped).
  std::optional<rotation::Status> Apply(const std::string& key, rotation::Status& status);

  // Holds `next` instead of writing it when it is only progress since `written` and what is held
  // has waited less than kHoldAtMost. Returns how long until it must be written; nullopt: write it.
  std::optional<std::chrono::milliseconds> Hold(const std::string& key, const rotation::Status& written,
                                                const rotation::Status& next, Clock::time_point now);

  void Drop(const std::string& key);

 private:
  struct Entry {
    rotation::Status written;  // what the API server has
    rotation::Status held;
    Clock::time_point since;
  };
  std::mutex mu_;
  std::unordered_map<std::string, Entry> held_;
};

}  // namespace keyroll::controller
