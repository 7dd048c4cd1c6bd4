// Fuzzes the informer caches' object codec (MessagePack + zstd with learned dictionaries).
// Property: any JSON value the input parses to comes back equal from Decode(Encode(v)) —
// first as plain MessagePack, then (one codec for the whole run, so it learns dictionaries
// from what the fuzzer feeds it) through every dictionary it makes. And Decode of bytes
// Encode did not make throws a std::exception or returns; it never crashes.
#include <cstddef>
#include <cstdint>
#include <exception>
#include <string_view>

#include <nlohmann/json.hpp>

#include "operator/kube/object_codec.h"

namespace {
keyroll::kube::ObjectCodec& Codec() {
  static keyroll::kube::ObjectCodec codec;
  return codec;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto value = nlohmann::json::parse(in, nullptr, false);
  if (!value.is_discarded()) {
    // Twice: the second may go through a dictionary made meanwhile.
    for (int i = 0; i < 2; ++i) {
      std::string blob = Codec().Encode(value);
      if (Codec().Decode(blob) != value) __builtin_trap();  // the round trip lost something
    }
  }
  try {
    (void)Codec().Decode(in);
  } catch (const std::exception&) {
    // a blob Encode did not make: an exception is the documented answer
  }
  return 0;
}
