// events: the Events of one SigningKeyRotation (core/v1, as the operator records them),
// oldest first, and which of them are new since an earlier look (name and count).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "operator/kube/client.h"

namespace keyroll::cli {

struct EventView {
  std::string name;  // the Event object's name (with count: identifies an occurrence)
  std::string type;  // Normal | Warning
  std::string reason;
  std::string message;
  int count = 1;
  std::string last_timestamp;      // RFC 3339, "" when absent
  long long resource_version = 0;  // tie-break within one second (0 when not a number)
};

// Throws CliError when the Events cannot be listed.
std::vector<EventView> ResourceEvents(kube::Client& client, const std::string& ns, const std::string& name);

// Remembers what was seen; Fresh returns only occurrences not seen before.
class EventTracker {
 public:
  std::vector<EventView> Fresh(const std::vector<EventView>& events);

 private:
  std::map<std::string, int> counts_;
};

}  // namespace keyroll::cli
