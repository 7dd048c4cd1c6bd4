// Retry-After / rate-limit reset parsing, backoff, and base URL parsing (the pure parts of
// the QStash client).
#include <gtest/gtest.h>

#include "operator/providers/http_endpoint.h"
#include "operator/providers/retry.h"

namespace keyroll::providers {
namespace {
namespace KEYROLL_UNITY_ID {

using std::chrono::seconds;

// 2015-10-21T07:28:00Z
const SystemTime kNow = SystemTime(seconds(1445412480));

TEST(ParseRetryAfter, ReadsSecondsAndHttpDates) {
  EXPECT_EQ(ParseRetryAfter("120", kNow), seconds(120));
  EXPECT_EQ(ParseRetryAfter(" 0 ", kNow), seconds(0));
  EXPECT_EQ(ParseRetryAfter("Wed, 21 Oct 2015 07:28:30 GMT", kNow), seconds(30));
  EXPECT_EQ(ParseRetryAfter("Wed, 21 Oct 2015 07:20:00 GMT", kNow), seconds(0));  // in the past
  EXPECT_EQ(ParseRetryAfter("soon", kNow), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("-5", kNow), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("", kNow), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("12abc", kNow), std::nullopt);
}

TEST(ParseResetEpoch, ReadsUnixSecondsAndMilliseconds) {
  EXPECT_EQ(ParseResetEpoch("1445412485", kNow), seconds(5));
  EXPECT_EQ(ParseResetEpoch("1445412485000", kNow), seconds(5));
  EXPECT_EQ(ParseResetEpoch("1445412000", kNow), seconds(0));
  EXPECT_EQ(ParseResetEpoch("tomorrow", kNow), std::nullopt);
}

TEST(BackoffDelay, GrowsExponentiallyWithinJitterAndCap) {
  RetryPolicy p;
  p.initial_backoff = std::chrono::milliseconds(100);
  p.max_backoff = std::chrono::milliseconds(1000);
  EXPECT_EQ(BackoffDelay(1, p, 1.0).count(), 100);
  EXPECT_EQ(BackoffDelay(1, p, 0.0).count(), 50);
  EXPECT_EQ(BackoffDelay(3, p, 1.0).count(), 400);
  EXPECT_EQ(BackoffDelay(10, p, 1.0).count(), 1000);
  EXPECT_EQ(BackoffDelay(10, p, 0.0).count(), 500);
}

TEST(ParseBaseUrl, NormalisesValidUrls) {
  auto u = ParseBaseUrl("HTTPS://QStash.Upstash.io/");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->host, "qstash.upstash.io");
  EXPECT_EQ(u->port, 443);
  EXPECT_EQ(u->Normalised(), "https://qstash.upstash.io");
  auto v = ParseBaseUrl("http://127.0.0.1:8080/prefix/");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->Normalised(), "http://127.0.0.1:8080/prefix");
  auto w = ParseBaseUrl("https://[::1]:8443");
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w->host, "::1");
  EXPECT_EQ(w->port, 8443);
}

TEST(ParseBaseUrl, RejectsBadUrlsAsBadConfig) {
  for (const char* bad : {"qstash.upstash.io", "ftp://x", "https://", "https://x:0", "https://x:99999",
                          "https://x:port", "https://user:pw@x", "https://x/?q=1", "https://x/#f"}) {
    auto u = ParseBaseUrl(bad);
    ASSERT_FALSE(u.ok()) << bad;
    EXPECT_EQ(u.error().kind, ErrorKind::kBadConfig) << bad;
    EXPECT_EQ(u.error().message.find("pw"), std::string::npos);
  }
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::providers
