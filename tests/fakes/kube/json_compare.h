// json_compare: comparing two objects in place while ignoring some of their members (a
// stored object and its next version are compared on every write: copying both to erase the
// ignored members cost two whole-object copies per write).
#pragma once

#include <nlohmann/json.hpp>

namespace keyroll::fakes {

// Whether a and b are equal but for the members whose key `ignored(key)` holds; values that
// are not both objects are compared whole.
template <typename Ignored>
bool MembersEqualExcept(const nlohmann::json& a, const nlohmann::json& b, Ignored ignored) {
  if (!a.is_object() || !b.is_object()) return a == b;
  size_t compared = 0;
  for (auto it = a.begin(); it != a.end(); ++it) {
    if (ignored(it.key())) continue;
    ++compared;
    auto other = b.find(it.key());
    if (other == b.end() || *other != it.value()) return false;
  }
  for (auto it = b.begin(); it != b.end(); ++it) compared -= ignored(it.key()) ? 0 : 1;
  return compared == 0;
}

}  // namespace keyroll::fakes
