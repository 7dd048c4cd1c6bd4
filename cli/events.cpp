// events.cpp — see events.h.
#include "cli/events.h"

#include <algorithm>
#include <tuple>

#include "cli/errors.h"
#include "operator/rotation/vocabulary.h"

namespace keyroll::cli {

using nlohmann::json;

namespace {
// A string field or "" (Events carry nulls, e.g. eventTime of a core/v1 Event).
std::string Str(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}
}  // namespace

std::vector<EventView> ResourceEvents(kube::Client& client, const std::string& ns, const std::string& name) {
  kube::ListOptions options;
  options.field_selector = "involvedObject.name=" + name;
  auto list = client.ListAll(kube::resources::kEvents, ns, options);
  if (!list) throw FromKube(list.error(), "Events in \"" + ns + "\"");
  std::vector<EventView> out;
  for (const auto& e : list->items) {
    auto io = e.find("involvedObject");
    // Filtered here too: a server may ignore the field selector.
    if (io == e.end() || Str(*io, "kind") != rotation::vocab::kKind || Str(*io, "name") != name) continue;
    EventView v;
    v.name = kube::NameOf(e);
    v.type = Str(e, "type");
    v.reason = Str(e, "reason");
    v.message = Str(e, "message");
    if (auto c = e.find("count"); c != e.end() && c->is_number_integer()) v.count = c->get<int>();
    v.last_timestamp = Str(e, "lastTimestamp");
    if (v.last_timestamp.empty()) v.last_timestamp = Str(e, "eventTime");
    // Timestamps have whole seconds; the resourceVersion orders one second's events (opaque
    // by contract, a number on etcd and the fake: used only when it parses).
    try {
      v.resource_version = std::stoll(kube::ResourceVersionOf(e));
    } catch (const std::exception&) {
      v.resource_version = 0;
    }
    out.push_back(std::move(v));
  }
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return std::tie(a.last_timestamp, a.resource_version) < std::tie(b.last_timestamp, b.resource_version);
  });
  return out;
}

std::vector<EventView> EventTracker::Fresh(const std::vector<EventView>& events) {
  std::vector<EventView> out;
  for (const auto& e : events) {
    int& seen = counts_[e.name];
    if (e.count > seen) out.push_back(e);
    seen = std::max(seen, e.count);
  }
  return out;
}

}  // namespace keyroll::cli
