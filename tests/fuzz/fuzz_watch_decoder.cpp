// Fuzzes watch-stream framing: the input is fed in chunks whose sizes come from the input's
// first byte, as a chunked HTTP body would split it, then finished.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "operator/kube/watch_decoder.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  size_t chunk = 1 + data[0] % 64;
  std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
  keyroll::kube::WatchDecoder decoder(4096);
  std::vector<keyroll::kube::WatchEvent> events;
  bool ok = true;
  for (size_t at = 0; ok && at < body.size(); at += chunk) ok = decoder.Feed(body.substr(at, chunk), events).ok();
  if (ok) (void)decoder.Finish(events);
  for (const auto& e : events) (void)keyroll::kube::WatchEventTypeName(e.type);
  return 0;
}
