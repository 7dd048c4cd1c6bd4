// held_status: status progress not written yet (issue 17). A wave of restarts in batches (more
// consumers than maxConcurrentRestarts) wrote the status after every batch. A write that says
// only the wave's progress (rotation::OnlyProgress: the consumers' words and readiness,
// consumersReady, first restarts to the keys already written) is held back instead. The next
// reconcile decides on the written status plus the held first restarts (the restart counts
// behind kMaxRestartAttempts; the rest it derives from the workloads again). The status is
// written with the next write that is due anyway (a condition's transition: Ready at the end of
// the wave, or a failure), and at the latest kHoldAtMost after it was first held, so
// `kubectl get skr` is never further behind.
//
// Lost with the process. A crash loses at most one restart count per consumer, as a crash
// between a restart patch and its status write always could: the consumer's pod template
// carries keyroll.dev/keys-hash, so it is not restarted again unless something removes that,
// and a second restart for the same keys (the kMaxRestartAttempts guard's count) is never held.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "operator/rotation/status.h"

namespace keyroll::controller {

class HeldStatus {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr std::chrono::seconds kHoldAtMost{30};

  // Puts the status held for `key` in place of `status` (the resource's status as the API server
  // has it, with the first restarts held) and returns the latter; nullopt (and `status`
  // untouched) when nothing is held on that status (nothing held, or someone wrote the status
  // since: the held one is dropped).
  std::optional<rotation::Status> Apply(const std::string& key, rotation::Status& status);

  // Holds `next` instead of writing it when it is only progress since `written` and what is held
  // has waited less than kHoldAtMost. Returns how long until it must be written; nullopt: write it.
  std::optional<std::chrono::milliseconds> Hold(const std::string& key, const rotation::Status& written,
                                                const rotation::Status& next, Clock::time_point now);

  void Drop(const std::string& key);

 private:
  // Only what the next decision needs and cannot see again: the first restarts (all else held
  // is derived from the workloads again). A thousand waves are under way at once at the end of
  // the bench's cold start; a whole Status of 5 consumers is ~4 KB (VmHWM +4 MiB).
  struct Entry {
    size_t written = 0;                  // hash of the status the API server has (Fingerprint)
    std::vector<uint16_t> restarted;     // indexes in its consumers: restarted once since, to its keys
    Clock::time_point since;
  };
  static size_t Fingerprint(const rotation::Status& status);
  std::mutex mu_;
  std::unordered_map<std::string, Entry> held_;
};

}  // namespace keyroll::controller
