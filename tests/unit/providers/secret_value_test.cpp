// SecretValue: key material cannot be formatted or streamed by accident; comparison works.
#include "operator/providers/secret_value.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <ostream>
#include <type_traits>

namespace keyroll::providers {
namespace {
namespace KEYROLL_UNITY_ID {

template <typename T, typename = void>
struct IsStreamable : std::false_type {};
template <typename T>
struct IsStreamable<T, std::void_t<decltype(std::declval<std::ostream&>() << std::declval<const T&>())>>
    : std::true_type {};

// The properties the rest of keyroll relies on, checked by the compiler.
static_assert(!fmt::is_formattable<SecretValue>::value, "SecretValue must not be formattable with fmt/spdlog");
static_assert(!IsStreamable<SecretValue>::value, "SecretValue must not be streamable");
static_assert(!std::is_convertible_v<SecretValue, std::string>, "no implicit conversion to std::string");
static_assert(!std::is_convertible_v<SecretValue, std::string_view>, "no implicit conversion to string_view");
static_assert(!std::is_convertible_v<std::string, SecretValue>, "construction from a string is explicit");
// The detection idiom itself must be able to say yes, or the asserts above prove nothing.
static_assert(IsStreamable<std::string>::value);
static_assert(fmt::is_formattable<std::string>::value);

TEST(SecretValue, RevealReturnsTheValue) {
  SecretValue v(std::string("sig_abc"));
  EXPECT_EQ(v.reveal(), "sig_abc");
  EXPECT_FALSE(v.empty());
  EXPECT_TRUE(SecretValue().empty());
}

TEST(SecretValue, ComparesByValue) {
  EXPECT_EQ(SecretValue("a1"), SecretValue("a1"));
  EXPECT_NE(SecretValue("a1"), SecretValue("a2"));
  EXPECT_NE(SecretValue("a1"), SecretValue("a12"));
  EXPECT_EQ(SecretValue(""), SecretValue());
}

TEST(SecretValue, CopyAndMoveKeepTheValue) {
  SecretValue a("sig_one");
  SecretValue b = a;
  EXPECT_EQ(b.reveal(), "sig_one");
  SecretValue c("other");
  c = std::move(b);
  EXPECT_EQ(c.reveal(), "sig_one");
  EXPECT_TRUE(b.empty());  // NOLINT(bugprone-use-after-move): moved-from is wiped and empty
  c = a;
  EXPECT_EQ(c, a);
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::providers
