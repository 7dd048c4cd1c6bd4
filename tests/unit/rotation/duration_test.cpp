#include "operator/rotation/duration.h"

#include <gtest/gtest.h>

namespace keyroll::rotation {
namespace {
namespace KEYROLL_UNITY_ID {

using namespace std::chrono;

struct Good {
  const char* text;
  nanoseconds want;
};

TEST(Duration, ParsesGoSyntax) {
  const Good cases[] = {
      {"0", nanoseconds{0}},
      {"0s", nanoseconds{0}},
      {"5m", minutes{5}},
      {"90s", seconds{90}},
      {"720h", hours{720}},
      {"1h30m", minutes{90}},
      {"1.5h", minutes{90}},
      {".5h", minutes{30}},
      {"1h0m0s", hours{1}},
      {"2h45m30s", hours{2} + minutes{45} + seconds{30}},
      {"300ms", milliseconds{300}},
      {"1.5s", milliseconds{1500}},
      {"10us", microseconds{10}},
      {"10\xC2\xB5s", microseconds{10}},
      {"7ns", nanoseconds{7}},
      {"+5m", minutes{5}},
      {"1m1m", minutes{2}},
      {"2562047h", hours{2562047}},
  };
  for (const auto& c : cases) {
    auto r = ParseDuration(c.text);
    ASSERT_TRUE(r.ok()) << c.text << ": " << r.error();
    EXPECT_EQ(r.value(), c.want) << c.text;
  }
}

TEST(Duration, RefusesGarbageWithClearMessages) {
  struct Bad {
    const char* text;
    const char* fragment;
  };
  const Bad cases[] = {
      {"", "empty"},
      {"-5m", "negative"},
      {"5", "missing unit"},
      {"5d", "unknown unit \"d\""},
      {"h", "expected a number"},
      {"1.2.3h", "missing unit"},
      {"abc", "expected a number"},
      {"5 m", "unknown unit"},
      {"99999999999999999999h", "too large"},
      {"2562048h", "too large"},
      {"2562047h1h", "too large"},
      {"+", "invalid duration"},
      {"1111111111111111111111111111111111111111111111111111111111111111111s", "too long"},
  };
  for (const auto& c : cases) {
    auto r = ParseDuration(c.text);
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_NE(r.error().find(c.fragment), std::string::npos) << c.text << " -> " << r.error();
  }
}

TEST(Duration, FormatsLikeGo) {
  EXPECT_EQ(FormatDuration(nanoseconds{0}), "0s");
  EXPECT_EQ(FormatDuration(hours{1}), "1h0m0s");
  EXPECT_EQ(FormatDuration(minutes{90}), "1h30m0s");
  EXPECT_EQ(FormatDuration(seconds{90}), "1m30s");
  EXPECT_EQ(FormatDuration(seconds{10}), "10s");
  EXPECT_EQ(FormatDuration(milliseconds{1500}), "1.5s");
  EXPECT_EQ(FormatDuration(milliseconds{300}), "300ms");
  EXPECT_EQ(FormatDuration(hours{720}), "720h0m0s");
}

TEST(Duration, RoundTripsThroughFormat) {
  for (const char* text : {"1h30m", "720h", "5m", "90s", "1.5h", "1h0m0.25s"}) {
    auto a = ParseDuration(text);
    ASSERT_TRUE(a.ok());
    auto b = ParseDuration(FormatDuration(a.value()));
    ASSERT_TRUE(b.ok()) << FormatDuration(a.value());
    EXPECT_EQ(a.value(), b.value()) << text;
  }
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::rotation
