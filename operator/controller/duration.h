// duration: Go-style durations as flags and specs write them ("15s", "1m30s", "500ms", "720h").
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace keyroll::controller {

// Units: ms, s, m, h (a sequence of number+unit pairs; whole numbers only). "0" is zero.
// Returns nullopt for anything else, including negative or overflowing values.
std::optional<std::chrono::milliseconds> ParseDuration(std::string_view text);
// The shortest form ParseDuration reads back: "1h30m", "15s", "250ms", "0s".
std::string FormatDuration(std::chrono::milliseconds d);

}  // namespace keyroll::controller
