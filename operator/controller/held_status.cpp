// held_status.cpp — see held_status.h.
#include "operator/controller/held_status.h"

#include <functional>

#include "operator/rotation/status_json.h"
#include "operator/rotation/status_progress.h"

namespace keyroll::controller {

size_t HeldStatus::Fingerprint(const rotation::Status& status) {
  return std::hash<std::string>{}(rotation::StatusToJson(status).dump());
}

std::optional<rotation::Status> HeldStatus::Apply(const std::string& key, rotation::Status& status) {
  std::vector<uint16_t> restarted;
  {
    std::lock_guard lock(mu_);
    auto it = held_.find(key);
    if (it == held_.end()) return std::nullopt;
    if (it->second.written != Fingerprint(status)) {
      held_.erase(it);
      return std::nullopt;
    }
    restarted = it->second.restarted;
  }
  rotation::Status written = status;
  for (uint16_t i : restarted) {  // OnlyProgress: same consumers, restarts 0 -> 1 to these keys
    status.consumers.at(i).restarts = 1;
    status.consumers.at(i).restarted_keys_hash = status.keys->keys_hash;
  }
  return written;
}

std::optional<std::chrono::milliseconds> HeldStatus::Hold(const std::string& key, const rotation::Status& written,
                                                          const rotation::Status& next, Clock::time_point now) {
  if (next.consumers.size() > UINT16_MAX || !rotation::OnlyProgress(written, next)) return std::nullopt;
  std::vector<uint16_t> restarted;
  for (size_t i = 0; i < next.consumers.size(); ++i)
    if (next.consumers[i].restarts != written.consumers[i].restarts) restarted.push_back(static_cast<uint16_t>(i));
  const size_t fingerprint = Fingerprint(written);
  std::lock_guard lock(mu_);
  auto it = held_.find(key);
  const Clock::time_point since = it != held_.end() && it->second.written == fingerprint ? it->second.since : now;
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(since + kHoldAtMost - now);
  if (left.count() <= 0) return std::nullopt;
  held_.insert_or_assign(key, Entry{fingerprint, std::move(restarted), since});
  return left;
}

void HeldStatus::Drop(const std::string& key) {
  std::lock_guard lock(mu_);
  held_.erase(key);
}

}  // namespace keyroll::controller
