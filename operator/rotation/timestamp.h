// timestamp.h — the core's notion of time: Time (UTC, whole seconds, as metav1.Time) and
// RFC 3339 formatting/parsing for status fields. The clock is never read here.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace keyroll::rotation {

using Time = std::chrono::sys_seconds;
using Seconds = std::chrono::seconds;

// "2026-11-22T03:00:00Z".
std::string FormatTimestamp(Time t);
// Accepts RFC 3339 with 'Z' or a numeric offset and optional fractional seconds (dropped).
std::optional<Time> ParseTimestamp(std::string_view text);

}  // namespace keyroll::rotation
