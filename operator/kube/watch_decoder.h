// watch_decoder: turns the bytes of a watch response (newline-delimited JSON events,
// split arbitrarily across chunks) into WatchEvents. Pure; no I/O.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "operator/kube/result.h"

namespace keyroll::kube {

enum class WatchEventType { kAdded, kModified, kDeleted, kBookmark, kError };
const char* WatchEventTypeName(WatchEventType t);

struct WatchEvent {
  WatchEventType type;
  nlohmann::json object;  // the object; a Status for kError
};

// One line of a watch stream: {"type": ..., "object": {...}}.
Result<WatchEvent> ParseWatchEvent(std::string_view line);

class WatchDecoder {
 public:
  explicit WatchDecoder(size_t max_event_bytes = 64u << 20) : max_event_bytes_(max_event_bytes) {}

  // Appends every event completed by `bytes` to `out`. An error (garbage, an unknown
  // type, an event larger than the limit) leaves the stream unusable.
  EmptyResult Feed(std::string_view bytes, std::vector<WatchEvent>& out);
  // At the end of the body: a complete event without its newline is delivered; a cut
  // one is an error.
  EmptyResult Finish(std::vector<WatchEvent>& out);
  size_t pending_bytes() const { return buffer_.size(); }

 private:
  std::string buffer_;
  size_t scanned_ = 0;  // bytes of buffer_ known to hold no newline
  size_t max_event_bytes_;
};

}  // namespace keyroll::kube
