// object_json: parses API server answers and watch events into JSON, leaving out every
// object's metadata.managedFields. A real API server sends them on every object, in every
// list and watch event, often longer than the rest of the object; keyroll never reads them
// (controller-runtime users strip them the same way, TransformStripManagedFields), so
// building them only to drop them in the projection costs CPU and a list's transient memory.
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

namespace keyroll::kube {

// The parsed document, or a discarded value (is_discarded()) when `text` is not JSON.
// Only a "managedFields" key directly inside an object held under a "metadata" key is left
// out: an Object, a List's items and a watch event's object alike; nothing else changes.
nlohmann::json ParseObjectJson(std::string_view text);

}  // namespace keyroll::kube
