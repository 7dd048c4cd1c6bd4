// field_error.h — one validation problem: the field path (e.g. "spec.rotation.schedule")
// and what is wrong with it.
#pragma once

#include <string>
#include <vector>

namespace keyroll::rotation {

struct FieldError {
  std::string path;
  std::string message;
  bool operator==(const FieldError&) const = default;
};

using FieldErrors = std::vector<FieldError>;

// "spec.a: msg; spec.b: msg" truncated to a condition-friendly length.
std::string JoinFieldErrors(const FieldErrors& errors, size_t max_length = 1024);

}  // namespace keyroll::rotation
