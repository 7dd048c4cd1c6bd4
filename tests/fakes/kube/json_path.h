// json_path: the subset of kubectl JSONPath that CRD printer columns use: .a.b, .a[0],
// .a[*].b, .a[?(@.type=="Ready")].status, escaped dots (.annotations.example\.com/x),
// optionally wrapped in {}.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace keyroll::fakes {

// All values the path selects (empty when nothing matches or the path is malformed).
std::vector<nlohmann::json> EvalJsonPath(const nlohmann::json& root, const std::string& path);

}  // namespace keyroll::fakes
