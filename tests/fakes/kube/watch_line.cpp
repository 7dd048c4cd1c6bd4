#include "tests/fakes/kube/watch_line.h"

namespace keyroll::fakes {

std::string WatchLine(const std::string& type, const std::string& object_text) {
  static const std::string kOpen = "{\"object\":", kType = ",\"type\":\"", kClose = "\"}\n";
  std::string line;
  line.reserve(kOpen.size() + object_text.size() + kType.size() + type.size() + kClose.size());
  line.append(kOpen).append(object_text).append(kType).append(type).append(kClose);
  return line;
}

}  // namespace keyroll::fakes
