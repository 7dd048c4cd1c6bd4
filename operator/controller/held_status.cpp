// held_status.cpp — see held_status.h.
#include "operator/controller/held_status.h"

#include "operator/rotation/status_progress.h"

namespace keyroll::controller {

std::optional<rotation::Status> HeldStatus::Apply(const std::string& key, rotation::Status& status) {
  std::lock_guard lock(mu_);
  auto it = held_.find(key);
  if (it == held_.end()) return std::nullopt;
  if (it->second.written != status) {
    held_.erase(it);
    return std::nullopt;
  }
  rotation::Status written = std::move(status);
  status = it->second.held;
  return written;
}

std::optional<std::chrono::milliseconds> HeldStatus::Hold(const std::string& key, const rotation::Status& written,
                                                          const rotation::Status& next, Clock::time_point now) {
  if (!rotation::OnlyProgress(written, next)) return std::nullopt;
  std::lock_guard lock(mu_);
  auto it = held_.find(key);
  const Clock::time_point since = it != held_.end() && it->second.written == written ? it->second.since : now;
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(since + kHoldAtMost - now);
  if (left.count() <= 0) return std::nullopt;
  held_.insert_or_assign(key, Entry{written, next, since});
  return left;
}

void HeldStatus::Drop(const std::string& key) {
  std::lock_guard lock(mu_);
  held_.erase(key);
}

}  // namespace keyroll::controller
