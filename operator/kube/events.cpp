#include "operator/kube/events.h"

#include <ctime>

#include <spdlog/spdlog.h>

namespace keyroll::kube {

std::string NowRfc3339() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

EventRecorder::EventRecorder(Client& client, std::string component)
    : client_(client), component_(std::move(component)) {}

EmptyResult EventRecorder::Record(const nlohmann::json& involved, EventType type,
                                  const std::string& reason, const std::string& message) {
  const std::string type_name = type == EventType::kNormal ? "Normal" : "Warning";
  std::string ns = NamespaceOf(involved);
  if (ns.empty()) ns = "default";  // events about cluster-scoped objects
  std::string agg_key = UidOf(involved) + "/" + NameOf(involved) + "/" + type_name + "/" + reason + "/" + message;
  std::string now = NowRfc3339();

  std::lock_guard lock(mu_);
  if (auto it = seen_.find(agg_key); it != seen_.end()) {
    nlohmann::json patch = {{"count", it->second.count + 1}, {"lastTimestamp", now}};
    auto res = client_.MergePatch(resources::kEvents, ns, it->second.event_name, patch);
    if (res) {
      ++it->second.count;
      return Unit{};
    }
    if (!IsNotFound(res.error())) {
      spdlog::warn("event {} on {}: {}", reason, NameOf(involved), res.error().ToString());
      return res.error();
    }
    seen_.erase(it);  // the Event expired (TTL): create a new one
  }
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
  seen_[agg_key] = Seen{NameOf(*created), 1};
  return Unit{};
}

}  // namespace keyroll::kube
