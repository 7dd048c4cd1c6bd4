// SHA-256, SHA-1, HMAC and the key fingerprints against vectors computed independently
// (openssl dgst, RFC 4231), so the shared helpers cannot drift from the standard.
#include "operator/base/crypto.h"

#include <gtest/gtest.h>

#include "operator/base/encoding.h"
#include "operator/base/fingerprint.h"

namespace keyroll::base {
namespace {
namespace KEYROLL_UNITY_ID {

TEST(Sha256, MatchesOpensslDgst) {
  // printf %s abc | openssl dgst -sha256
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256("abc").size(), 32u);
  EXPECT_EQ(HexLower(Sha256({"a", "b", "c"})), Sha256Hex("abc"));  // parts hash as if joined
}

TEST(Sha1, MatchesOpensslDgst) {
  // printf %s abc | openssl dgst -sha1
  EXPECT_EQ(HexLower(Sha1("abc")), "a9993e364706816aba3e25717850c26c9cd0d89d");
}

TEST(HmacSha256, MatchesRfc4231TestCase2) {
  EXPECT_EQ(HexLower(HmacSha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(ConstantTimeEquals, ComparesEveryByteAndTheLength) {
  EXPECT_TRUE(ConstantTimeEquals("", ""));
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "ab"));
}

TEST(RandomBytes, GivesTheLengthAskedForAndDiffers) {
  EXPECT_EQ(RandomBytes(0), "");
  EXPECT_EQ(RandomBytes(32).size(), 32u);
  EXPECT_NE(RandomBytes(32), RandomBytes(32));
}

TEST(Fingerprint, ShortAndStable) {
  EXPECT_EQ(Fingerprint(""), "e3b0c442");
  EXPECT_EQ(Fingerprint("abc"), "ba7816bf");
  // KeysHash = sha256(current + "\n" + next): printf 'a\nb' | sha256sum
  EXPECT_EQ(KeysHash("a", "b"), "7e18f737311b2dc3b2f269dd78396b0351f14fb66efa879f768cb23181883c78");
  EXPECT_NE(KeysHash("a", "b"), KeysHash("b", "a"));
  EXPECT_NE(KeysHash("ab", ""), KeysHash("a", "b"));
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::base
