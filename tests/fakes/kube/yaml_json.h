// yaml_json: reads YAML (or JSON, a YAML subset) documents into nlohmann::json, so CRD
// manifests and authorization files can be written either way.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace keyroll::fakes {

// Every non-empty document of a (possibly multi-document) YAML text.
// Throws std::runtime_error on a syntax error.
std::vector<nlohmann::json> ParseYamlDocuments(const std::string& text);

}  // namespace keyroll::fakes
