#include "tests/fakes/kube/crd_schema.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>
#include <stdexcept>

namespace keyroll::fakes {
namespace {

using json = nlohmann::json;

std::shared_ptr<SchemaNode> Read(const json& s, bool* any_cel) {
  auto n = std::make_shared<SchemaNode>();
  if (!s.is_object()) return n;
  n->type = s.value("type", "");
  n->nullable = s.value("nullable", false);
  n->int_or_string = s.value("x-kubernetes-int-or-string", false);
  n->preserve_unknown = s.value("x-kubernetes-preserve-unknown-fields", false);
  n->embedded_resource = s.value("x-kubernetes-embedded-resource", false);
  n->has_cel = s.contains("x-kubernetes-validations") && !s["x-kubernetes-validations"].empty();
  if (n->has_cel) *any_cel = true;
  if (s.contains("default")) n->default_value = s["default"];
  if (s.contains("enum")) n->enum_values = s["enum"];
  if (s.contains("pattern")) {
    n->pattern_text = s["pattern"].get<std::string>();
    try {
      n->pattern.emplace(n->pattern_text, std::regex::ECMAScript);
    } catch (const std::regex_error& e) {
      throw std::invalid_argument("pattern " + n->pattern_text + ": " + e.what());
    }
  }
  n->format = s.value("format", "");
  auto int_of = [&](const char* key, std::optional<int64_t>& out) {
    if (s.contains(key) && s[key].is_number()) out = s[key].get<int64_t>();
  };
  int_of("minLength", n->min_length);
  int_of("maxLength", n->max_length);
  int_of("minItems", n->min_items);
  int_of("maxItems", n->max_items);
  int_of("minProperties", n->min_properties);
  int_of("maxProperties", n->max_properties);
  if (s.contains("minimum") && s["minimum"].is_number()) n->minimum = s["minimum"].get<double>();
  if (s.contains("maximum") && s["maximum"].is_number()) n->maximum = s["maximum"].get<double>();
  n->exclusive_minimum = s.value("exclusiveMinimum", false);
  n->exclusive_maximum = s.value("exclusiveMaximum", false);
  if (s.contains("required")) n->required = s["required"].get<std::vector<std::string>>();
  if (s.contains("properties")) {
    for (const auto& [k, v] : s["properties"].items()) n->properties[k] = Read(v, any_cel);
  }
  if (s.contains("additionalProperties")) {
    const json& ap = s["additionalProperties"];
    if (ap.is_object()) n->additional_properties = Read(ap, any_cel);
    else if (ap.is_boolean() && ap.get<bool>()) n->preserve_unknown = true;  // keeps every key
  }
  if (s.contains("items")) n->items = Read(s["items"], any_cel);
  n->list_type = s.value("x-kubernetes-list-type", "");
  if (s.contains("x-kubernetes-list-map-keys")) {
    n->list_map_keys = s["x-kubernetes-list-map-keys"].get<std::vector<std::string>>();
  }
  return n;
}

std::string Child(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}
std::string Index(const std::string& path, size_t i) { return path + "[" + std::to_string(i) + "]"; }

bool IsRootMeta(bool root, const std::string& key) {
  return root && (key == "apiVersion" || key == "kind" || key == "metadata");
}

const SchemaNode* SchemaFor(const SchemaNode& s, const std::string& key) {
  auto it = s.properties.find(key);
  if (it != s.properties.end()) return it->second.get();
  return s.additional_properties.get();
}

void Prune(json& v, const SchemaNode& s, const std::string& path, bool root,
           std::vector<std::string>& pruned) {
  if (v.is_object()) {
    std::vector<std::string> keys;
    for (const auto& [k, unused] : v.items()) keys.push_back(k);
    for (const auto& k : keys) {
      const bool embedded_meta = s.embedded_resource && (k == "apiVersion" || k == "kind" || k == "metadata");
      if (IsRootMeta(root, k) || embedded_meta) continue;
      const SchemaNode* child = SchemaFor(s, k);
      if (!child) {
        if (s.preserve_unknown) continue;
        v.erase(k);
        pruned.push_back(Child(path, k));
        continue;
      }
      Prune(v[k], *child, Child(path, k), false, pruned);
    }
  } else if (v.is_array() && s.items) {
    for (size_t i = 0; i < v.size(); ++i) Prune(v[i], *s.items, Index(path, i), false, pruned);
  }
}

// Nulls in non-nullable fields are dropped, then defaults fill every absent field; defaults
// are descended into as well (a defaulted {} gets its own fields' defaults).
void Default(json& v, const SchemaNode& s, bool root) {
  if (v.is_object()) {
    for (const auto& [k, p] : s.properties) {
      if (IsRootMeta(root, k)) continue;
      const bool null_dropped = v.contains(k) && v[k].is_null() && !p->nullable;
      if (p->default_value && (!v.contains(k) || null_dropped)) v[k] = *p->default_value;
      else if (null_dropped) v.erase(k);
    }
    if (s.additional_properties && !s.additional_properties->nullable) {
      std::vector<std::string> nulls;
      for (const auto& [k, c] : v.items())
        if (c.is_null() && !s.properties.count(k)) nulls.push_back(k);
      for (const auto& k : nulls) v.erase(k);
    }
    for (auto& [k, c] : v.items()) {
      if (IsRootMeta(root, k)) continue;
      if (const SchemaNode* child = SchemaFor(s, k)) Default(c, *child, false);
    }
  } else if (v.is_array() && s.items) {
    for (auto& item : v) {
      if (item.is_null() && !s.items->nullable && s.items->default_value) item = *s.items->default_value;
      Default(item, *s.items, false);
    }
  }
}

std::string DataType(const json& v) {
  switch (v.type()) {
    case json::value_t::null: return "null";
    case json::value_t::boolean: return "boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned: return "integer";
    case json::value_t::number_float: return "number";
    case json::value_t::string: return "string";
    case json::value_t::array: return "array";
    default: return "object";
  }
}

bool TypeOk(const SchemaNode& s, const json& v, const std::string& have) {
  if (s.int_or_string) return have == "integer" || have == "string";
  if (s.type.empty() || s.type == have) return true;
  if (s.type == "number") return have == "integer";
  // A float with no fractional part is a JSON integer (go-openapi's isFloatInt).
  if (s.type == "integer" && have == "number") {
    double d = v.get<double>();
    return std::isfinite(d) && std::floor(d) == d;
  }
  return false;
}

// Go's %v of a float64 limit (1000, 0.5).
std::string Number(double d) {
  if (std::floor(d) == d && std::fabs(d) < 1e15) return std::to_string(static_cast<int64_t>(d));
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", d);
  return buf;
}

// How field.Error prints a bad value: strings quoted, numbers and booleans bare.
std::string Shown(const json& v) {
  if (v.is_string()) return v.dump();
  if (v.is_number() || v.is_boolean()) return v.dump();
  if (v.is_null()) return "\"null\"";
  return v.dump();
}

size_t Characters(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

bool IsDateTime(const std::string& s) {
  static const std::regex re(
      R"(^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$)");
  return std::regex_match(s, re);
}

struct Checker {
  std::vector<InvalidCause>& out;

  void Invalid(const std::string& path, const json& value, const std::string& detail) {
    out.push_back({"FieldValueInvalid", "Invalid value: " + Shown(value) + ": " + detail, path});
  }
  void TypeInvalid(const std::string& path, const std::string& shown_type, const std::string& want) {
    std::string quoted = json(shown_type).dump();
    out.push_back({"FieldValueTypeInvalid",
                   "Invalid value: " + quoted + ": " + path + " in body must be of type " + want + ": " + quoted,
                   path});
  }

  void Check(const json& v, const SchemaNode& s, const std::string& path, bool root) {
    const std::string have = DataType(v);
    if (v.is_null()) {
      if (!s.nullable && (!s.type.empty() || s.int_or_string)) {
        TypeInvalid(path, "null", s.int_or_string ? "integer,string" : s.type);
      }
      return;
    }
    if (!TypeOk(s, v, have)) {
      TypeInvalid(path, have, s.int_or_string ? "integer,string" : s.type);
      return;
    }
    if (v.is_string()) CheckString(v, s, path);
    if (v.is_number()) CheckNumber(v, s, path);
    if (v.is_array()) CheckArray(v, s, path);
    if (s.enum_values && std::find(s.enum_values->begin(), s.enum_values->end(), v) == s.enum_values->end()) {
      std::string supported;
      for (const auto& e : *s.enum_values) {
        if (!supported.empty()) supported += ", ";
        supported += json(e.is_string() ? e.get<std::string>() : e.dump()).dump();
      }
      out.push_back({"FieldValueNotSupported",
                     "Unsupported value: " + Shown(v) + ": supported values: " + supported, path});
    }
    if (v.is_object()) CheckObject(v, s, path, root);
  }

  void CheckString(const json& v, const SchemaNode& s, const std::string& path) {
    const std::string text = v.get<std::string>();
    const size_t chars = Characters(text);
    if (s.max_length && chars > static_cast<size_t>(*s.max_length)) {
      out.push_back({"FieldValueTooLong", "Too long: may not be longer than " + std::to_string(*s.max_length), path});
    }
    if (s.min_length && chars < static_cast<size_t>(*s.min_length)) {
      Invalid(path, v, path + " in body should be at least " + std::to_string(*s.min_length) + " chars long");
    }
    if (s.pattern && !std::regex_search(text, *s.pattern)) {
      Invalid(path, v, path + " in body should match '" + s.pattern_text + "'");
    }
    if (s.format == "date-time" && !IsDateTime(text)) {
      std::string quoted = v.dump();
      out.push_back({"FieldValueTypeInvalid",
                     "Invalid value: " + quoted + ": " + path + " in body must be of type date-time: " + quoted, path});
    }
  }

  void CheckNumber(const json& v, const SchemaNode& s, const std::string& path) {
    const double d = v.get<double>();
    if (s.maximum && (s.exclusive_maximum ? d >= *s.maximum : d > *s.maximum)) {
      Invalid(path, v, path + " in body should be less than " + (s.exclusive_maximum ? "" : "or equal to ") +
                           Number(*s.maximum));
    }
    if (s.minimum && (s.exclusive_minimum ? d <= *s.minimum : d < *s.minimum)) {
      Invalid(path, v, path + " in body should be greater than " + (s.exclusive_minimum ? "" : "or equal to ") +
                           Number(*s.minimum));
    }
  }

  void TooMany(const std::string& path, size_t have, int64_t max) {
    out.push_back({"FieldValueTooMany",
                   "Too many: " + std::to_string(have) + ": must have at most " + std::to_string(max) + " items",
                   path});
  }

  void CheckArray(const json& v, const SchemaNode& s, const std::string& path) {
    if (s.max_items && v.size() > static_cast<size_t>(*s.max_items)) TooMany(path, v.size(), *s.max_items);
    if (s.min_items && v.size() < static_cast<size_t>(*s.min_items)) {
      Invalid(path, json(v.size()), path + " in body should have at least " + std::to_string(*s.min_items) + " items");
    }
    if (s.items) {
      for (size_t i = 0; i < v.size(); ++i) Check(v[i], *s.items, Index(path, i), false);
    }
    // x-kubernetes-list-type: map keys and set members are unique.
    if (s.list_type == "map" || s.list_type == "set") {
      std::set<std::string> seen;
      for (size_t i = 0; i < v.size(); ++i) {
        json key = v[i];
        if (s.list_type == "map" && v[i].is_object()) {
          key = json::object();
          for (const auto& k : s.list_map_keys)
            if (v[i].contains(k)) key[k] = v[i][k];
        }
        if (!seen.insert(key.dump()).second) {
          std::string shown = key.is_object() ? "map[string]interface {}" + key.dump() : Shown(key);
          out.push_back({"FieldValueDuplicate", "Duplicate value: " + shown, Index(path, i)});
        }
      }
    }
  }

  void CheckObject(const json& v, const SchemaNode& s, const std::string& path, bool root) {
    if (s.max_properties && v.size() > static_cast<size_t>(*s.max_properties)) {
      TooMany(path, v.size(), *s.max_properties);
    }
    if (s.min_properties && v.size() < static_cast<size_t>(*s.min_properties)) {
      Invalid(path, json(v.size()),
              path + " in body should have at least " + std::to_string(*s.min_properties) + " properties");
    }
    for (const auto& r : s.required) {
      if (!v.contains(r)) out.push_back({"FieldValueRequired", "Required value", Child(path, r)});
    }
    for (const auto& [k, c] : v.items()) {
      if (IsRootMeta(root, k)) continue;  // the API server validates those itself
      if (const SchemaNode* child = SchemaFor(s, k)) Check(c, *child, Child(path, k), false);
    }
  }
};

// field.ErrorTypes after which apiextensions-apiserver skips CEL (hasBlockingErr).
bool Blocking(const InvalidCause& c) {
  return c.reason == "FieldValueNotSupported" || c.reason == "FieldValueRequired" ||
         c.reason == "FieldValueTooLong" || c.reason == "FieldValueTooMany" ||
         c.reason == "FieldValueTypeInvalid";
}

}  // namespace

CrdSchema::CrdSchema(const json& open_api_v3_schema) : root_(Read(open_api_v3_schema, &has_cel_)) {}

std::vector<std::string> CrdSchema::PruneAndDefault(json& object) const {
  std::vector<std::string> pruned;
  Prune(object, *root_, "", true, pruned);
  Default(object, *root_, true);
  return pruned;
}

std::vector<InvalidCause> CrdSchema::Validate(const json& object) const {
  std::vector<InvalidCause> causes;
  Checker{causes}.Check(object, *root_, "", true);
  if (has_cel_ && std::any_of(causes.begin(), causes.end(), Blocking)) {
    causes.push_back({"FieldValueInvalid",
                      "Invalid value: \"null\": some validation rules were not checked because the object was "
                      "invalid; correct the existing errors to complete validation",
                      "<nil>"});
  }
  return causes;
}

}  // namespace keyroll::fakes
