// result: Result<T>, a value or a KubeError (C++20 has no std::expected).
#pragma once

#include <utility>
#include <variant>

#include "operator/kube/errors.h"

namespace keyroll::kube {

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}                  // NOLINT: implicit on purpose
  Result(KubeError error) : v_(std::move(error)) {}           // NOLINT
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const KubeError& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, KubeError> v_;
};

// For operations that return nothing on success.
struct Unit {};
using EmptyResult = Result<Unit>;

}  // namespace keyroll::kube
