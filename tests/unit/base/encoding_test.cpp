// hex, base64 and base64url against RFC 4648's test vectors and each other.
#include "operator/base/encoding.h"

#include <gtest/gtest.h>

#include <string>

namespace keyroll::base {
namespace {
namespace KEYROLL_UNITY_ID {

const std::string kBinary("\0\xff\x10\xfb\xef", 5);

TEST(Base64, EncodesRfc4648Vectors) {
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Encode("foo"), "Zm9v");
  EXPECT_EQ(Base64Encode("foob"), "Zm9vYg==");
  EXPECT_EQ(Base64Encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
}

TEST(Base64, RoundTripsAndRejectsJunk) {
  for (std::string s : {std::string(), std::string("a"), std::string("ab"), std::string("abc"), std::string("abcd"), kBinary}) {
    EXPECT_EQ(Base64Decode(Base64Encode(s)), s);
  }
  EXPECT_EQ(Base64Decode("aGVs\nbG8="), "hello");  // kubeconfig data may be wrapped
  EXPECT_EQ(Base64Decode("aGVsbG8"), "hello");      // padding is optional
  EXPECT_FALSE(Base64Decode("a$bc").has_value());
  EXPECT_FALSE(Base64Decode("ab=c").has_value());  // data after the padding
  EXPECT_FALSE(Base64Decode("abcde").has_value()); // a lone trailing character
  EXPECT_FALSE(Base64Decode("-_-_").has_value());  // the URL alphabet is not the standard one
}

TEST(Base64Url, UsesTheUrlAlphabetAndOptionalPadding) {
  EXPECT_EQ(Base64UrlEncode(kBinary, false), "AP8Q--8");
  EXPECT_EQ(Base64UrlEncode(kBinary, true), "AP8Q--8=");
  EXPECT_EQ(Base64Encode(kBinary), "AP8Q++8=");
  EXPECT_EQ(Base64UrlDecode("AP8Q--8"), kBinary);
  EXPECT_EQ(Base64UrlDecode("AP8Q--8="), kBinary);
  EXPECT_FALSE(Base64UrlDecode("AP8Q++8=").has_value());
  EXPECT_FALSE(Base64UrlDecode("AP8Q --8").has_value());  // JWT segments carry no whitespace
  EXPECT_FALSE(Base64UrlDecode("A").has_value());
}

TEST(Hex, IsLowercaseTwoDigitsPerByte) {
  EXPECT_EQ(HexLower(""), "");
  EXPECT_EQ(HexLower(kBinary), "00ff10fbef");
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::base
