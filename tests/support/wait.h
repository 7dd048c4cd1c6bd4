// wait: poll a condition until it holds or a deadline passes. Tests wait for outcomes,
// never sleep for a fixed time and hope.
#pragma once

#include <chrono>
#include <functional>

namespace keyroll::testing {

// Returns true as soon as cond() is true; false if it is still false after `timeout`.
bool WaitUntil(const std::function<bool()>& cond,
               std::chrono::milliseconds timeout = std::chrono::seconds(20),
               std::chrono::milliseconds interval = std::chrono::milliseconds(25));

}  // namespace keyroll::testing
