// parse_spec_sections.h — (internal) one parser per spec section, all writing errors
// through a FieldReader. Used by parse_spec.cpp only.
#pragma once

#include <nlohmann/json.hpp>

#include "operator/rotation/json_fields.h"
#include "operator/rotation/spec.h"

namespace keyroll::rotation::detail {

void ParseProvider(FieldReader& r, const nlohmann::json& spec, Spec& out);
void ParseTarget(FieldReader& r, const nlohmann::json& spec, const std::string& resource_name,
                 Spec& out);
void ParseRotation(FieldReader& r, const nlohmann::json& spec, Spec& out);
void ParseConsumers(FieldReader& r, const nlohmann::json& spec, Spec& out);
// A duration field: Go syntax, whole seconds, within [min, max].
std::optional<Seconds> ParseDurationField(FieldReader& r, const nlohmann::json& obj,
                                          std::string_view key, const std::string& path,
                                          Seconds min, Seconds max);

}  // namespace keyroll::rotation::detail
