// result.h — Result<T, E>: a value or an error, for functions that must not throw
// (C++20 has no std::expected).
#pragma once

#include <utility>
#include <variant>

namespace keyroll::rotation {

template <class E>
struct Err {
  E error;
};
template <class E>
Err(E) -> Err<E>;

template <class T, class E>
class Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  template <class F>
  Result(Err<F> e) : v_(std::in_place_index<1>, E(std::move(e.error))) {}  // NOLINT

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  const T& value() const { return std::get<0>(v_); }
  T& value() { return std::get<0>(v_); }
  const E& error() const { return std::get<1>(v_); }
  const T& operator*() const { return value(); }
  const T* operator->() const { return &value(); }
  bool operator==(const Result&) const = default;

 private:
  std::variant<T, E> v_;
};

}  // namespace keyroll::rotation
