#include "operator/providers/secret_value.h"

#include <openssl/crypto.h>

namespace keyroll::providers {

void SecretValue::Wipe() {
  if (!value_.empty()) OPENSSL_cleanse(value_.data(), value_.size());
  value_.clear();
}

SecretValue::~SecretValue() { Wipe(); }

SecretValue& SecretValue::operator=(const SecretValue& other) {
  if (this != &other) {
    Wipe();
    value_ = other.value_;
  }
  return *this;
}

SecretValue& SecretValue::operator=(SecretValue&& other) noexcept {
  if (this != &other) {
    Wipe();
    value_ = std::move(other.value_);
    other.Wipe();
  }
  return *this;
}

bool operator==(const SecretValue& a, const SecretValue& b) {
  if (a.value_.size() != b.value_.size()) return false;
  return a.value_.empty() || CRYPTO_memcmp(a.value_.data(), b.value_.data(), a.value_.size()) == 0;
}

}  // namespace keyroll::providers
