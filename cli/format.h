// format: how the CLI spells times, ages and tables (kubectl's style: upper-case headers,
// columns separated by three spaces, ages like 5m or 3d4h).
#pragma once

#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "operator/rotation/timestamp.h"

namespace keyroll::cli {

// "40s", "5m", "2h10m", "3d4h" (kubectl's HumanDuration, two units at most).
std::string FormatAge(rotation::Seconds age);
// "2026-12-07 03:00 CET" in an IANA zone (UTC when the zone is unknown or "").
std::string FormatInZone(rotation::Time t, const std::string& zone);
// Cuts `text` to `width` characters with a trailing "..." (0: no limit).
std::string Truncate(const std::string& text, size_t width);

using Row = std::vector<std::string>;
void PrintTable(std::ostream& out, const Row& headers, const std::vector<Row>& rows);

// JSON as YAML (block style, as kubectl -o yaml prints).
std::string ToYaml(const nlohmann::json& value);

}  // namespace keyroll::cli
