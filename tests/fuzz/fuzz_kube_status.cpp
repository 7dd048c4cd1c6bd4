// Fuzzes the Kubernetes Status body parser (ErrorFromResponse). The first two bytes choose
// the HTTP code (100-599), the rest is the body. Properties:
//   - round trip: the error parsed from a body, written back as a Status, parses to the same
//     error (reason, code, Status reason, message, details, causes and the field each names,
//     retryAfterSeconds);
//   - a body that is not a Status gives a message of printable characters only (it is logged)
//     with no more than 160 bytes of the body;
//   - a Retry-After value parsed, printed and parsed again is the same (idempotent parse).
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "operator/kube/errors.h"

using keyroll::kube::KubeError;
using nlohmann::json;

namespace {

json AsStatus(const KubeError& e) {
  json details = {{"name", e.name}, {"kind", e.kind}, {"group", e.group}, {"causes", json::array()}};
  for (const auto& c : e.causes) details["causes"].push_back({{"reason", c.type}, {"message", c.message}, {"field", c.field}});
  if (e.retry_after) details["retryAfterSeconds"] = e.retry_after->count();
  return {{"kind", "Status"}, {"apiVersion", "v1"}, {"status", "Failure"}, {"code", e.code},
          {"reason", e.status_reason}, {"message", e.message}, {"details", details}};
}

bool Same(const KubeError& a, const KubeError& b) {
  if (a.reason != b.reason || a.code != b.code || a.status_reason != b.status_reason || a.message != b.message ||
      a.name != b.name || a.kind != b.kind || a.group != b.group || a.retry_after != b.retry_after ||
      a.causes.size() != b.causes.size())
    return false;
  for (size_t i = 0; i < a.causes.size(); ++i)
    if (a.causes[i].type != b.causes[i].type || a.causes[i].message != b.causes[i].message ||
        a.causes[i].field != b.causes[i].field)
      return false;
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const int code = 100 + (data[0] << 8 | data[1]) % 500;
  const std::string body(reinterpret_cast<const char*>(data + 2), size - 2);
  KubeError first = keyroll::kube::ErrorFromResponse(code, body);
  auto doc = json::parse(body, nullptr, false);
  const bool status = !doc.is_discarded() && doc.is_object() && doc.contains("kind") && doc["kind"] == "Status";
  if (status) {
    KubeError again = keyroll::kube::ErrorFromStatus(code, AsStatus(first).dump());
    if (!Same(first, again)) __builtin_trap();  // the round trip changed the error
  } else {
    for (unsigned char c : first.message)
      if (!std::isprint(c)) __builtin_trap();  // a control byte of the body reached the message
    if (first.message.size() > 160 + 100) __builtin_trap();  // more than the excerpt
  }
  if (auto s = keyroll::kube::ParseSeconds(body)) {
    auto again = keyroll::kube::ParseSeconds(std::to_string(s->count()));
    if (!again || *again != *s) __builtin_trap();
  }
  return 0;
}
