// Fingerprint and KeysHash against vectors computed independently with openssl.
#include "operator/providers/fingerprint.h"

#include <gtest/gtest.h>

namespace keyroll::providers {
namespace {
namespace KEYROLL_UNITY_ID {

TEST(Fingerprint, IsTheFirstEightHexDigitsOfSha256) {
  // printf %s 'sig_7kYjw48mhY7kAjqNGcy6cr29RJ6r' | openssl dgst -sha256
  //   -> b5f1743a394ce39b42493de7e6bc40226042491fb77bd417e40e92fcd11a8bd8
  EXPECT_EQ(Fingerprint(SecretValue("sig_7kYjw48mhY7kAjqNGcy6cr29RJ6r")), "b5f1743a");
  // printf %s '' | openssl dgst -sha256
  EXPECT_EQ(Fingerprint(SecretValue("")), "e3b0c442");
}

TEST(KeysHash, IsSha256OfCurrentNewlineNext) {
  // printf '%s\n%s' 'sig_7kYjw48mhY7kAjqNGcy6cr29RJ6r' 'sig_5ZB6DVzB1wjE8S6rZ7eenA8Pdnhs' | openssl dgst -sha256
  EXPECT_EQ(KeysHash(SecretValue("sig_7kYjw48mhY7kAjqNGcy6cr29RJ6r"), SecretValue("sig_5ZB6DVzB1wjE8S6rZ7eenA8Pdnhs")),
            "18b16f1e2db53ae33fa2e88b749b318f3f948ad6cfffb3049bc98739fadffd1b");
}

TEST(KeysHash, DependsOnOrderAndEveryByte) {
  SecretValue a("sig_aaaa"), b("sig_bbbb"), b2("sig_bbbc");
  EXPECT_NE(KeysHash(a, b), KeysHash(b, a));
  EXPECT_NE(KeysHash(a, b), KeysHash(a, b2));
  EXPECT_EQ(KeysHash(a, b), KeysHash(SecretValue("sig_aaaa"), SecretValue("sig_bbbb")));
  EXPECT_EQ(KeysHash(a, b).size(), 64u);
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::providers
