// The management token: parsing the token answer, and the cache that keeps a token until
// shortly before it expires, driven by an injected clock.
#include <gtest/gtest.h>

#include "operator/providers/auth0/token.h"

namespace keyroll::testing {
namespace {
namespace KEYROLL_UNITY_ID {

using namespace providers::auth0;
using namespace std::chrono_literals;
using providers::ErrorKind;
using providers::SecretValue;
using providers::SystemTime;

TEST(Auth0TokenAnswer, AGoodAnswerParses) {
  auto t = ParseTokenAnswer(
      R"({"access_token":"eyJhbGciOi.abc.def","scope":"read:signing_keys","expires_in":86400,"token_type":"Bearer"})");
  ASSERT_TRUE(t.ok()) << t.error().message;
  EXPECT_EQ(t->access_token.reveal(), "eyJhbGciOi.abc.def");
  EXPECT_EQ(t->expires_in, 86400s);
  EXPECT_EQ(t->scope, "read:signing_keys");
  EXPECT_TRUE(ParseTokenAnswer(R"({"access_token":"t","expires_in":60,"token_type":"bearer"})").ok());
  EXPECT_TRUE(ParseTokenAnswer(R"({"access_token":"t","expires_in":60})").ok());
}

TEST(Auth0TokenAnswer, BadAnswersAreInvalidAndNeverEchoTheToken) {
  for (const char* body : {"", "<html>", "[]", R"({"expires_in":60})", R"({"access_token":"","expires_in":60})",
                           R"({"access_token":5,"expires_in":60})", R"({"access_token":"secret-tok"})",
                           R"({"access_token":"secret-tok","expires_in":0})",
                           R"({"access_token":"secret-tok","expires_in":-5})",
                           R"({"access_token":"secret-tok","expires_in":"60"})",
                           R"({"access_token":"secret-tok","expires_in":60.5})",
                           R"({"access_token":"secret tok","expires_in":60})",
                           R"({"access_token":"secret-tok\r\nX: y","expires_in":60})",
                           R"({"access_token":"secret-tok","expires_in":60,"token_type":"mac"})"}) {
    auto t = ParseTokenAnswer(body);
    ASSERT_FALSE(t.ok()) << body;
    EXPECT_EQ(t.error().kind, ErrorKind::kInvalidAnswer) << body;
    EXPECT_EQ(t.error().message.find("secret"), std::string::npos) << t.error().message;
  }
}

TEST(Auth0TokenCache, RefreshMarginIsATenthOfTheLifetimeAtMostAMinute) {
  EXPECT_EQ(RefreshMargin(86400s), 60s);
  EXPECT_EQ(RefreshMargin(300s), 30s);
  EXPECT_EQ(RefreshMargin(5s), 0s);
}

TEST(Auth0TokenCache, ATokenIsKeptUntilShortlyBeforeItExpires) {
  TokenCache cache;
  SystemTime t0 = SystemTime(1'800'000'000s);
  EXPECT_EQ(cache.Get(t0), nullptr);
  cache.Store(SecretValue("tok"), 3600s, t0);
  ASSERT_NE(cache.Get(t0), nullptr);
  EXPECT_EQ(cache.Get(t0)->reveal(), "tok");
  EXPECT_NE(cache.Get(t0 + 3539s), nullptr);
  EXPECT_EQ(cache.Get(t0 + 3540s), nullptr);  // one minute before expiry: fetch a new one
  EXPECT_EQ(cache.Get(t0 + 7200s), nullptr);
  EXPECT_EQ(cache.refresh_at(), t0 + 3540s);
}

TEST(Auth0TokenCache, InvalidateDropsTheTokenAndStoreReplacesIt) {
  TokenCache cache;
  SystemTime t0 = SystemTime(1'800'000'000s);
  cache.Store(SecretValue("one"), 600s, t0);
  cache.Invalidate();
  EXPECT_EQ(cache.Get(t0), nullptr);
  cache.Store(SecretValue("two"), 600s, t0 + 10s);
  ASSERT_NE(cache.Get(t0 + 10s), nullptr);
  EXPECT_EQ(cache.Get(t0 + 10s)->reveal(), "two");
  EXPECT_EQ(cache.Get(t0 - 1h)->reveal(), "two");  // a clock stepping back keeps it
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::testing
