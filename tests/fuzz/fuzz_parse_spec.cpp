// Fuzzes the resource parser: any JSON document (as the API server could hand it over)
// goes through ParseResource; it must never crash, throw or report an error without a path
// for a well-formed spec.
#include <cstdint>
#include <cstddef>

#include <nlohmann/json.hpp>

#include "operator/rotation/parse_spec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto j = nlohmann::json::parse(data, data + size, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return 0;
  auto observed = keyroll::rotation::ParseResource(j);
  if (!observed.spec) {
    if (observed.spec.error().empty()) __builtin_trap();  // an invalid spec always says why
    (void)keyroll::rotation::JoinFieldErrors(observed.spec.error());
  }
  return 0;
}
