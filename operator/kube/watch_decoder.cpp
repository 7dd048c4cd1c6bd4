#include "operator/kube/watch_decoder.h"

#include "operator/kube/object_json.h"

namespace keyroll::kube {
namespace {

bool Blank(std::string_view s) {
  for (char c : s) {
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') return false;
  }
  return true;
}

}  // namespace

const char* WatchEventTypeName(WatchEventType t) {
  switch (t) {
    case WatchEventType::kAdded: return "ADDED";
    case WatchEventType::kModified: return "MODIFIED";
    case WatchEventType::kDeleted: return "DELETED";
    case WatchEventType::kBookmark: return "BOOKMARK";
    case WatchEventType::kError: return "ERROR";
  }
  return "?";
}

Result<WatchEvent> ParseWatchEvent(std::string_view line) {
  auto j = ParseObjectJson(line);
  if (j.is_discarded() || !j.is_object()) {
    return DecodeError("watch stream: a line is not JSON (" + std::to_string(line.size()) + " bytes)");
  }
  auto type = j.find("type");
  auto object = j.find("object");
  if (type == j.end() || !type->is_string() || object == j.end() || !object->is_object()) {
    return DecodeError("watch stream: an event without type or object");
  }
  const std::string& t = type->get_ref<const std::string&>();
  WatchEventType et;
  if (t == "ADDED") et = WatchEventType::kAdded;
  else if (t == "MODIFIED") et = WatchEventType::kModified;
  else if (t == "DELETED") et = WatchEventType::kDeleted;
  else if (t == "BOOKMARK") et = WatchEventType::kBookmark;
  else if (t == "ERROR") et = WatchEventType::kError;
  else return DecodeError("watch stream: unknown event type '" + t.substr(0, 32) + "'");
  return WatchEvent{et, std::move(*object)};
}

EmptyResult WatchDecoder::Feed(std::string_view bytes, std::vector<WatchEvent>& out) {
  buffer_.append(bytes);
  size_t start = 0;
  for (;;) {
    size_t nl = buffer_.find('\n', std::max(start, scanned_));
    if (nl == std::string::npos) break;
    std::string_view line(buffer_.data() + start, nl - start);
    start = nl + 1;
    if (Blank(line)) continue;
    auto ev = ParseWatchEvent(line);
    if (!ev) return ev.error();
    out.push_back(std::move(*ev));
  }
  buffer_.erase(0, start);
  scanned_ = buffer_.size();
  if (buffer_.size() > max_event_bytes_) {
    return DecodeError("watch stream: an event larger than " + std::to_string(max_event_bytes_) + " bytes");
  }
  return Unit{};
}

EmptyResult WatchDecoder::Finish(std::vector<WatchEvent>& out) {
  if (Blank(buffer_)) {
    buffer_.clear();
    scanned_ = 0;
    return Unit{};
  }
  auto ev = ParseWatchEvent(buffer_);
  buffer_.clear();
  scanned_ = 0;
  if (!ev) return DecodeError("watch stream ended inside an event (truncated)");
  out.push_back(std::move(*ev));
  return Unit{};
}

}  // namespace keyroll::kube
