#include "operator/kube/events.h"

#include <algorithm>

#include <ctime>

#include <spdlog/spdlog.h>

#include "operator/base/crypto.h"

namespace keyroll::kube {

std::string NowRfc3339() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

EventRecorder::AggregationKey EventRecorder::KeyOf(const std::string& text) {
  const std::string digest = base::Sha256(text);
  AggregationKey key{};
  std::copy_n(digest.begin(), std::min(digest.size(), key.size()), key.begin());
  return key;
}

EventRecorder::EventRecorder(Client& client, std::string component, size_t remembered)
    : client_(client), component_(std::move(component)), remembered_(remembered) {}

EmptyResult EventRecorder::Record(const nlohmann::json& involved, EventType type,
                                  const std::string& reason, const std::string& message) {
  const std::string type_name = type == EventType::kNormal ? "Normal" : "Warning";
  std::string ns = NamespaceOf(involved);
  if (ns.empty()) ns = "default";  // events about cluster-scoped objects
  const AggregationKey agg_key =
      KeyOf(UidOf(involved) + "/" + NameOf(involved) + "/" + type_name + "/" + reason + "/" + message);
  std::string now = NowRfc3339();

  // Never held across a request: events of different resources are recorded in parallel.
  std::unique_lock lock(mu_);
  ForgetOldLocked();
  if (auto it = seen_.find(agg_key); it != seen_.end()) {
    const std::string event_name = it->second.event_name;
    const int count = it->second.count + 1;
    lock.unlock();
    nlohmann::json patch = {{"count", count}, {"lastTimestamp", now}};
    auto res = client_.MergePatch(resources::kEvents, ns, event_name, patch);
    lock.lock();
    it = seen_.find(agg_key);
    if (res) {
      if (it != seen_.end()) it->second.count = std::max(it->second.count, count);
      return Unit{};
    }
    if (!IsNotFound(res.error())) {
      spdlog::warn("event {} on {}: {}", reason, NameOf(involved), res.error().ToString());
      return res.error();
    }
    if (it != seen_.end()) seen_.erase(it);  // the Event expired (TTL): create a new one
  }
  lock.unlock();
  nlohmann::json ref = {{"apiVersion", involved.value("apiVersion", "")},
                        {"kind", involved.value("kind", "")},
                        {"name", NameOf(involved)},
                        {"namespace", NamespaceOf(involved)}};
  if (!UidOf(involved).empty()) ref["uid"] = UidOf(involved);
  if (!ResourceVersionOf(involved).empty()) ref["resourceVersion"] = ResourceVersionOf(involved);
  nlohmann::json event = {
      {"apiVersion", "v1"},
      {"kind", "Event"},
      {"metadata", {{"generateName", NameOf(involved) + "."}, {"namespace", ns}}},
      {"involvedObject", ref},
      {"reason", reason},
      {"message", message},
      {"type", type_name},
      {"source", {{"component", component_}}},
      {"reportingComponent", component_},
      {"firstTimestamp", now},
      {"lastTimestamp", now},
      {"count", 1}};
  auto created = client_.Create(resources::kEvents, ns, event);
  if (!created) {
    spdlog::warn("event {} on {}: {}", reason, NameOf(involved), created.error().ToString());
    return created.error();
  }
  lock.lock();
  const uint64_t seq = ++seq_;
  seen_[agg_key] = Seen{NameOf(*created), 1, std::chrono::steady_clock::now(), seq};
  order_.emplace_back(agg_key, seq);
  return Unit{};
}

void EventRecorder::ForgetOldLocked() {
  const auto now = std::chrono::steady_clock::now();
  while (!order_.empty()) {
    auto& [key, seq] = order_.front();
    auto it = seen_.find(key);
    const bool current = it != seen_.end() && it->second.seq == seq;  // else replaced or gone
    if (current && order_.size() <= remembered_ && now - it->second.created < kSeenFor) break;
    if (current) seen_.erase(it);
    order_.pop_front();
  }
}

}  // namespace keyroll::kube
