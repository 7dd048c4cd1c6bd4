#include "tests/fakes/common/faults.h"

#include <map>

namespace keyroll::fakes {

std::optional<FaultKind> ParseFaultKind(const std::string& name) {
  static const std::map<std::string, FaultKind> kinds = {
      {"status", FaultKind::kStatus},         {"rate-limit", FaultKind::kRateLimit},
      {"drop-before", FaultKind::kDropBefore}, {"drop-after", FaultKind::kDropAfter},
      {"latency", FaultKind::kLatency},       {"truncated", FaultKind::kTruncated},
      {"non-json", FaultKind::kNonJson},      {"wrong-json", FaultKind::kWrongJson},
      {"hang", FaultKind::kHang}};
  auto it = kinds.find(name);
  if (it == kinds.end()) return std::nullopt;
  return it->second;
}

std::optional<FaultOp> ParseFaultOp(const std::string& name) {
  if (name.empty() || name == "any") return FaultOp::kAny;
  if (name == "get_keys") return FaultOp::kGetKeys;
  if (name == "rotate") return FaultOp::kRotate;
  if (name == "token") return FaultOp::kToken;
  if (name == "get_key") return FaultOp::kGetKey;
  if (name == "revoke") return FaultOp::kRevoke;
  return std::nullopt;
}

void FaultQueue::Add(Fault fault) {
  if (fault.count == 0) return;
  std::lock_guard lock(mu_);
  faults_.push_back(std::move(fault));
}

void FaultQueue::Clear() {
  std::lock_guard lock(mu_);
  faults_.clear();
}

std::optional<Fault> FaultQueue::Take(FaultOp op, const std::string& account) {
  std::lock_guard lock(mu_);
  for (auto it = faults_.begin(); it != faults_.end(); ++it) {
    if (it->op != FaultOp::kAny && it->op != op) continue;
    if (!it->account.empty() && it->account != account) continue;
    Fault taken = *it;
    if (it->count > 0 && --it->count == 0) faults_.erase(it);
    return taken;
  }
  return std::nullopt;
}

}  // namespace keyroll::fakes
