// duration.h — Go/Kubernetes duration strings ("1h30m", "720h", "90s", "1.5h",
// "300ms") parsed like Go's time.ParseDuration, but negatives are refused: keyroll's
// durations are intervals. Formatting follows Go's String() ("1h30m0s").
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "operator/rotation/result.h"

namespace keyroll::rotation {

// Errors are short sentences naming what is wrong, e.g. "unknown unit \"d\" (use h, m, s)".
Result<std::chrono::nanoseconds, std::string> ParseDuration(std::string_view text);

std::string FormatDuration(std::chrono::nanoseconds d);

}  // namespace keyroll::rotation
