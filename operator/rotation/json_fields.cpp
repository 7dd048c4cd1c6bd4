// json_fields.cpp — every nlohmann access here is guarded by a type check: no throws.
#include "operator/rotation/json_fields.h"

#include "operator/rotation/names.h"

namespace keyroll::rotation {

using nlohmann::json;

std::string JoinFieldErrors(const FieldErrors& errors, size_t max_length) {
  std::string out;
  for (const auto& e : errors) {
    std::string item = e.path + ": " + e.message;
    if (out.size() + item.size() + 2 > max_length) {
      out += out.empty() ? "" : "; ";
      out += "and " + std::to_string(errors.size()) + " errors in total";
      break;
    }
    out += (out.empty() ? "" : "; ") + item;
  }
  return out;
}

namespace {
// Keys come from input: show them printable and bounded.
std::string Printable(std::string_view key) {
  std::string shown;
  for (char c : key.substr(0, 64)) {
    auto u = static_cast<unsigned char>(c);
    shown += (u < 0x20 || u >= 0x7f) ? '?' : c;
  }
  if (key.size() > 64) shown += "...";
  return shown;
}
}  // namespace

std::string KeyPath(const std::string& parent, std::string_view key) {
  return parent + "[" + Printable(key) + "]";
}

void FieldReader::Error(std::string path, std::string message) {
  if (errors_.size() < 100) errors_.push_back({std::move(path), std::move(message)});
}

const json* FieldReader::Member(const json& obj, std::string_view key, const std::string& path,
                                bool required) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) {
    if (required) Error(path, "is required");
    return nullptr;
  }
  return &*it;
}

const json* FieldReader::Object(const json& obj, std::string_view key, const std::string& path,
                                bool required) {
  const json* v = Member(obj, key, path, required);
  if (v && !v->is_object()) {
    Error(path, "must be an object");
    return nullptr;
  }
  return v;
}

const json* FieldReader::Array(const json& obj, std::string_view key, const std::string& path,
                               size_t max_items) {
  const json* v = Member(obj, key, path);
  if (!v) return nullptr;
  if (!v->is_array()) {
    Error(path, "must be a list");
    return nullptr;
  }
  if (v->size() > max_items) {
    Error(path, "must have at most " + std::to_string(max_items) + " items");
    return nullptr;
  }
  return v;
}

std::optional<std::string> FieldReader::String(const json& obj, std::string_view key,
                                               const std::string& path, bool required) {
  const json* v = Member(obj, key, path, required);
  if (!v) return std::nullopt;
  if (!v->is_string()) {
    Error(path, "must be a string");
    return std::nullopt;
  }
  return v->get_ref<const std::string&>();
}

std::optional<bool> FieldReader::Bool(const json& obj, std::string_view key, const std::string& path) {
  const json* v = Member(obj, key, path);
  if (!v) return std::nullopt;
  if (!v->is_boolean()) {
    Error(path, "must be true or false");
    return std::nullopt;
  }
  return v->get<bool>();
}

std::optional<int64_t> FieldReader::Int(const json& obj, std::string_view key, const std::string& path) {
  const json* v = Member(obj, key, path);
  if (!v) return std::nullopt;
  if (v->is_number_unsigned()) {
    auto u = v->get<uint64_t>();
    if (u > static_cast<uint64_t>(INT64_MAX)) {
      Error(path, "is too large");
      return std::nullopt;
    }
    return static_cast<int64_t>(u);
  }
  if (v->is_number_integer()) return v->get<int64_t>();
  Error(path, "must be an integer");
  return std::nullopt;
}

std::optional<StringMap> FieldReader::Map(const json& obj, std::string_view key,
                                          const std::string& path, size_t max_items) {
  const json* v = Member(obj, key, path);
  if (!v) return std::nullopt;
  if (!v->is_object()) {
    Error(path, "must be a map of strings");
    return std::nullopt;
  }
  if (v->size() > max_items) {
    Error(path, "must have at most " + std::to_string(max_items) + " entries");
    return std::nullopt;
  }
  StringMap out;
  bool ok = true;
  for (auto it = v->begin(); it != v->end(); ++it) {
    if (!it.value().is_string()) {
      Error(KeyPath(path, it.key()), "must be a string");
      ok = false;
      continue;
    }
    out[it.key()] = it.value().get<std::string>();
  }
  if (!ok) return std::nullopt;
  return out;
}

void FieldReader::RejectUnknown(const json& obj, std::initializer_list<std::string_view> known,
                                const std::string& path) {
  if (!obj.is_object()) return;
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    bool found = false;
    for (auto k : known) found = found || it.key() == k;
    if (!found) Error(path + "." + Printable(it.key()), "unknown field");
  }
}

}  // namespace keyroll::rotation
