// ScrubSecrets: what goes into an error message carries no keys or tokens (used for QStash
// error bodies).
#include "operator/providers/scrub.h"

#include <gtest/gtest.h>

namespace keyroll::providers {
namespace {
namespace KEYROLL_UNITY_ID {

TEST(ScrubSecrets, RemovesKnownSecretsEvenWhenTheyLookHarmless) {
  SecretValue token("hunter2");
  std::string out = ScrubSecrets("bad token hunter2 given", {&token});
  EXPECT_EQ(out.find("hunter2"), std::string::npos);
  EXPECT_NE(out.find("[REDACTED]"), std::string::npos);
}

TEST(ScrubSecrets, RemovesSecretLookingText) {
  struct Case {
    std::string text, secret;
  } cases[] = {
      {"key sig_7kYjw48mhY7kAjqNGcy6cr29RJ6r is old", "sig_7kYjw48mhY7kAjqNGcy6cr29RJ6r"},
      {"header was Bearer abc.def-123", "abc.def-123"},
      {"jwt eyJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJVcHN0YXNoIn0.c2ln here", "eyJhbGciOiJIUzI1NiJ9"},
      {"url https://x/v2/keys?qstash_token=s3cr3t&x=1", "s3cr3t"},
      {"hex 0123456789abcdef0123456789abcdef end", "0123456789abcdef0123456789abcdef"},
      {"b64 QWxhZGRpbjpvcGVuIHNlc2FtZQ== end", "QWxhZGRpbjpvcGVuIHNlc2FtZQ"},
      {"{\"password\": \"p4ss\"}", "p4ss"},
  };
  for (const auto& c : cases) {
    std::string out = ScrubSecrets(c.text);
    EXPECT_EQ(out.find(c.secret), std::string::npos) << "leaked in: " << out;
    EXPECT_NE(out.find("[REDACTED]"), std::string::npos) << out;
  }
}

TEST(ScrubSecrets, KeepsOrdinaryMessagesReadable) {
  EXPECT_EQ(ScrubSecrets("Unauthorized"), "Unauthorized");
  EXPECT_EQ(ScrubSecrets("rate limit exceeded, try again in 3 seconds"),
            "rate limit exceeded, try again in 3 seconds");
}

TEST(ScrubSecrets, FlattensControlCharactersAndCutsLongText) {
  EXPECT_EQ(ScrubSecrets("a\nb\tc"), "a b c");
  std::string long_text(1000, 'x');
  for (std::size_t i = 10; i < long_text.size(); i += 11) long_text[i] = ' ';  // no 24-char runs
  EXPECT_LE(ScrubSecrets(long_text, {}, 100).size(), 103u);
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::providers
