// patch: applies the PATCH bodies the API server accepts: JSON merge patch (RFC 7386), JSON
// patch (RFC 6902, `test` included) and strategic merge patch, which the fake treats as a
// merge patch after dropping its $-directives (lists are replaced, not merged by key).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace keyroll::fakes {

// Returns the patched copy of `target`. Throws ApiError: 415 for an unknown content type,
// 400 when the body is not JSON, 422 when a JSON patch cannot be applied (e.g. failed test).
nlohmann::json ApplyPatch(const nlohmann::json& target, const std::string& content_type,
                          const std::string& body);

// The media type without parameters, lowercased: "application/json; charset=utf-8" -> "application/json".
std::string MediaType(const std::string& content_type);

}  // namespace keyroll::fakes
