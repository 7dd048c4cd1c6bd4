// Fuzzes the QStash keys answer parser and the error-body scrubber: any body, never a
// crash, and an accepted answer has two different keys.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "operator/providers/qstash/keys_answer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  auto keys = keyroll::providers::qstash::ParseKeysAnswer(body);
  if (keys && keys->current == keys->next) __builtin_trap();  // the parser refuses equal keys
  (void)keyroll::providers::qstash::ErrorMessageFromBody(body);
  return 0;
}
