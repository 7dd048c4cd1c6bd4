// The Auth0 fake's key ring: what rotation and revocation do to the flags (the fake's model
// of Auth0, which the client tests rely on).
#include <gtest/gtest.h>

#include "tests/fakes/auth0/key_ring.h"

namespace keyroll::testing {
namespace {
namespace KEYROLL_UNITY_ID {

using fakes::FakeSigningKey;
using fakes::KeyRing;
using fakes::RevokeResult;

FakeSigningKey Key(const std::string& kid) {
  FakeSigningKey k;
  k.kid = kid;
  return k;
}

TEST(Auth0FakeKeyRing, RotationShiftsNextToCurrentToPreviousToPlain) {
  KeyRing ring;
  ring.Init(Key("a"), Key("b"), 100);
  EXPECT_EQ(ring.current().kid, "a");
  EXPECT_EQ(ring.next().kid, "b");
  EXPECT_EQ(ring.previous(), nullptr);
  ring.Rotate(Key("c"), 200);
  EXPECT_EQ(ring.current().kid, "b");
  EXPECT_EQ(ring.current().current_since, 200);
  EXPECT_EQ(ring.next().kid, "c");
  ASSERT_NE(ring.previous(), nullptr);
  EXPECT_EQ(ring.previous()->kid, "a");
  EXPECT_EQ(ring.previous()->current_until, 200);
  ring.Rotate(Key("d"), 300);
  EXPECT_EQ(ring.previous()->kid, "b");
  const FakeSigningKey* a = ring.Find("a");  // still listed, neither current, next nor previous
  ASSERT_NE(a, nullptr);
  EXPECT_FALSE(a->current || a->next || a->previous || a->revoked);
  EXPECT_EQ(ring.keys().size(), 4u);
}

TEST(Auth0FakeKeyRing, OnlyThePreviousKeyCanBeRevokedAndOnlyOnce) {
  KeyRing ring;
  ring.Init(Key("a"), Key("b"), 100);
  EXPECT_EQ(ring.Revoke("a", 150), RevokeResult::kNotPrevious);  // current
  EXPECT_EQ(ring.Revoke("b", 150), RevokeResult::kNotPrevious);  // next
  EXPECT_EQ(ring.Revoke("zz", 150), RevokeResult::kUnknownKid);
  ring.Rotate(Key("c"), 200);
  EXPECT_EQ(ring.Revoke("a", 250), RevokeResult::kRevoked);
  EXPECT_TRUE(ring.Find("a")->revoked);
  EXPECT_EQ(ring.Find("a")->revoked_at, 250);
  EXPECT_EQ(ring.previous(), nullptr);
  EXPECT_EQ(ring.Revoke("a", 260), RevokeResult::kAlreadyRevoked);
  ring.Rotate(Key("d"), 300);  // a revoked key is never used again
  EXPECT_EQ(ring.previous()->kid, "b");
  EXPECT_TRUE(ring.Find("a")->revoked);
  EXPECT_FALSE(ring.Find("a")->previous);
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::testing
