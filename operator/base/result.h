// result: Result<T, E>, a value or an error, for code that must not throw (C++20 has no
// std::expected). Each layer names its own error type: kube::Result<T> carries a KubeError,
// providers::Result<T> a ProviderError, the core a string or FieldErrors (wrapped in Err).
#pragma once

#include <type_traits>
#include <utility>
#include <variant>

namespace keyroll::base {

// Marks an error where the value and error types could be confused (Result<T, std::string>).
template <class E>
struct Err {
  E error;
};
template <class E>
Err(E) -> Err<E>;

template <class T, class E>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit on purpose
  template <class F = E>
    requires(!std::is_same_v<std::decay_t<F>, T>)
  Result(E error) : v_(std::in_place_index<1>, std::move(error)) {}  // NOLINT
  template <class F>
  Result(Err<F> e) : v_(std::in_place_index<1>, E(std::move(e.error))) {}  // NOLINT

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const E& error() const { return std::get<1>(v_); }
  bool operator==(const Result&) const = default;

 private:
  std::variant<T, E> v_;
};

}  // namespace keyroll::base
