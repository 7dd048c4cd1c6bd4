// crd_schema: a CRD version's structural openAPIV3Schema, applied to custom resources as
// kube-apiserver (apiextensions-apiserver v1.28) applies it: unknown fields pruned, nulls in
// non-nullable fields dropped, defaults filled in, then the object validated into the causes
// of a 422 (wording as in /work/shared/k8s-wire/422-skr-*.txt).
//
// Checked: type (with nullable, x-kubernetes-int-or-string, x-kubernetes-preserve-unknown-fields),
// required, enum, pattern, minLength/maxLength (characters), minimum/maximum (exclusive too),
// minItems/maxItems, minProperties/maxProperties, format date-time, x-kubernetes-list-type
// map/set uniqueness. Not evaluated: CEL (x-kubernetes-validations); a real server would. When a
// blocking error is found and the schema has CEL rules, the cause a real server adds ("some
// validation rules were not checked") is added too, as it skips CEL in that case.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/fakes/kube/api_error.h"

namespace keyroll::fakes {

struct SchemaNode {
  std::string type;  // "" when absent (int-or-string, preserve-unknown-fields)
  bool nullable = false;
  bool int_or_string = false;
  bool preserve_unknown = false;
  bool embedded_resource = false;
  bool has_cel = false;
  std::optional<nlohmann::json> default_value;
  std::optional<nlohmann::json> enum_values;
  std::optional<std::regex> pattern;
  std::string pattern_text, format;
  std::optional<int64_t> min_length, max_length, min_items, max_items, min_properties, max_properties;
  std::optional<double> minimum, maximum;
  bool exclusive_minimum = false, exclusive_maximum = false;
  std::vector<std::string> required;
  std::map<std::string, std::shared_ptr<SchemaNode>> properties;
  std::shared_ptr<SchemaNode> additional_properties;  // a schema for every other key
  std::shared_ptr<SchemaNode> items;
  std::string list_type;  // atomic, set, map
  std::vector<std::string> list_map_keys;
};

class CrdSchema {
 public:
  // Reads an openAPIV3Schema node; throws std::invalid_argument on an unusable pattern.
  explicit CrdSchema(const nlohmann::json& open_api_v3_schema);

  // Decoding: unknown fields pruned (their paths returned, e.g. "spec.bogusField"), nulls in
  // non-nullable fields dropped, defaults applied. apiVersion, kind and metadata stay.
  std::vector<std::string> PruneAndDefault(nlohmann::json& object) const;

  // Validation causes in the API server's words; empty when the object is valid.
  std::vector<InvalidCause> Validate(const nlohmann::json& object) const;

  bool HasCelRules() const { return has_cel_; }

 private:
  bool has_cel_ = false;  // before root_: Read() sets it while root_ is built
  std::shared_ptr<SchemaNode> root_;
};

}  // namespace keyroll::fakes
