// secret_value: SecretValue, the only type key material and tokens live in. It cannot be
// printed, formatted or logged by accident: no operator<<, no fmt::formatter, no implicit
// conversion. reveal() is the one way to the bytes, so every use is greppable.
#pragma once

#include <iosfwd>
#include <string>

namespace keyroll::providers {

class SecretValue {
 public:
  SecretValue() = default;
  explicit SecretValue(std::string value) : value_(std::move(value)) {}
  SecretValue(const SecretValue&) = default;
  SecretValue(SecretValue&&) noexcept = default;
  SecretValue& operator=(const SecretValue& other);
  SecretValue& operator=(SecretValue&& other) noexcept;
  ~SecretValue();  // zeroes the bytes (a courtesy: copies made elsewhere are not reached)

  // The raw value. Never pass the result to a logger, a message, a status or an event.
  const std::string& reveal() const { return value_; }
  bool empty() const { return value_.empty(); }

  // Constant-time comparison (CRYPTO_memcmp over equal lengths).
  friend bool operator==(const SecretValue& a, const SecretValue& b);
  friend bool operator!=(const SecretValue& a, const SecretValue& b) { return !(a == b); }

  // Streaming a secret is a compile error, not a leak. (fmt finds no formatter either:
  // tests/unit/providers/secret_value_test.cpp checks both with static_asserts.)
  friend std::ostream& operator<<(std::ostream&, const SecretValue&) = delete;

 private:
  void Wipe();
  std::string value_;
};

}  // namespace keyroll::providers
