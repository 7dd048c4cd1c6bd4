// json_fields.h — typed, non-throwing access to nlohmann::json objects that records a
// FieldError (with its path) for every problem. null counts as absent (as in Kubernetes).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "operator/rotation/field_error.h"
#include "operator/rotation/selector.h"

namespace keyroll::rotation {

class FieldReader {
 public:
  explicit FieldReader(FieldErrors& errors) : errors_(errors) {}

  void Error(std::string path, std::string message);
  // The member `key` of `obj`, nullptr when absent or null; `required` adds an error.
  const nlohmann::json* Member(const nlohmann::json& obj, std::string_view key,
                               const std::string& path, bool required = false);
  // Members of these types; nullopt (plus an error if present but wrong) otherwise.
  const nlohmann::json* Object(const nlohmann::json& obj, std::string_view key,
                               const std::string& path, bool required = false);
  const nlohmann::json* Array(const nlohmann::json& obj, std::string_view key,
                              const std::string& path, size_t max_items);
  std::optional<std::string> String(const nlohmann::json& obj, std::string_view key,
                                    const std::string& path, bool required = false);
  std::optional<bool> Bool(const nlohmann::json& obj, std::string_view key, const std::string& path);
  std::optional<int64_t> Int(const nlohmann::json& obj, std::string_view key, const std::string& path);
  // A map of strings (labels, annotations, matchLabels); keys/values checked by the caller.
  std::optional<StringMap> Map(const nlohmann::json& obj, std::string_view key,
                               const std::string& path, size_t max_items);
  // Adds "unknown field" for members not in `known` (catches typos like maxkeyAge).
  void RejectUnknown(const nlohmann::json& obj, std::initializer_list<std::string_view> known,
                     const std::string& path);

 private:
  FieldErrors& errors_;
};

// "spec.a" + "b" -> "spec.a.b"; index/key forms: Path(p, 3) -> "p[3]".
inline std::string Path(const std::string& parent, std::string_view child) {
  return parent + "." + std::string(child);
}
inline std::string Path(const std::string& parent, size_t index) {
  return parent + "[" + std::to_string(index) + "]";
}
std::string KeyPath(const std::string& parent, std::string_view key);

}  // namespace keyroll::rotation
