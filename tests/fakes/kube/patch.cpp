#include "tests/fakes/kube/patch.h"

#include <algorithm>
#include <cctype>

#include "tests/fakes/kube/api_error.h"

namespace keyroll::fakes {
namespace {

// Strategic merge patch directives ($patch, $setElementOrder/..., $retainKeys,
// $deleteFromPrimitiveList/...) have no meaning in a merge patch: honour `$patch: delete` on a
// map, drop the rest.
void StripDirectives(json& patch) {
  if (patch.is_object()) {
    for (auto it = patch.begin(); it != patch.end();) {
      if (!it.key().empty() && it.key()[0] == '$') {
        it = patch.erase(it);
        continue;
      }
      if (it->is_object() && it->value("$patch", "") == "delete") {
        *it = nullptr;
      } else {
        StripDirectives(*it);
      }
      ++it;
    }
  } else if (patch.is_array()) {
    for (auto& e : patch) StripDirectives(e);
  }
}

json ParseBody(const std::string& body) {
  try {
    return json::parse(body);
  } catch (const json::parse_error& e) {
    throw BadRequest(std::string("error decoding patch: ") + e.what());
  }
}

}  // namespace

std::string MediaType(const std::string& content_type) {
  std::string t = content_type.substr(0, content_type.find(';'));
  t.erase(std::remove_if(t.begin(), t.end(), [](unsigned char c) { return std::isspace(c); }),
          t.end());
  std::transform(t.begin(), t.end(), t.begin(), [](unsigned char c) { return std::tolower(c); });
  return t;
}

json ApplyPatch(const json& target, const std::string& content_type, const std::string& body) {
  std::string type = MediaType(content_type);
  if (type == "application/merge-patch+json" || type == "application/strategic-merge-patch+json") {
    json patch = ParseBody(body);
    if (!patch.is_object()) throw BadRequest("error decoding patch: patch must be a JSON object");
    if (type == "application/strategic-merge-patch+json") StripDirectives(patch);
    json result = target;
    result.merge_patch(patch);
    return result;
  }
  if (type == "application/json-patch+json") {
    json patch = ParseBody(body);
    if (!patch.is_array()) throw BadRequest("error decoding patch: json patch must be an array");
    try {
      return target.patch(patch);
    } catch (const json::exception&) {
      throw InvalidRequest();
    }
  }
  throw UnsupportedMediaType(content_type);
}

}  // namespace keyroll::fakes
