// Fuzzes the Auth0 signing-keys parsers (list and single key, PEM certificates inside) and
// the key set built from them: any body, never a crash.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "operator/providers/auth0/signing_keys.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  if (auto list = keyroll::providers::auth0::ParseSigningKeyList(body))
    (void)keyroll::providers::auth0::KeySetFromSigningKeys(*list);
  (void)keyroll::providers::auth0::ParseSigningKey(body);
  return 0;
}
