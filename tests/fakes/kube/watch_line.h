// watch_line: the text of one watch event as the fake sends it: nlohmann's dump of
// {"type": type, "object": object} (keys sorted, so "object" first) and a newline, assembled
// around the object's text instead of copying the object into a new document for every
// event and watcher.
#pragma once

#include <string>

namespace keyroll::fakes {

// type: ADDED, MODIFIED, DELETED, BOOKMARK or ERROR (nothing to escape); object_text: JSON.
std::string WatchLine(const std::string& type, const std::string& object_text);

}  // namespace keyroll::fakes
