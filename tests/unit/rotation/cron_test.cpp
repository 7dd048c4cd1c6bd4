#include "operator/rotation/cron.h"

#include <gtest/gtest.h>

namespace keyroll::rotation {
namespace {
namespace KEYROLL_UNITY_ID {

Time At(const char* rfc3339) {
  auto t = ParseTimestamp(rfc3339);
  EXPECT_TRUE(t.has_value()) << rfc3339;
  return t.value_or(Time{});
}

std::string Next(const char* expr, const char* zone, const char* after) {
  auto c = CronSchedule::Parse(expr, zone);
  if (!c.ok()) return "parse error: " + c.error();
  auto n = c->NextAfter(At(after));
  if (!n.ok()) return "error: " + n.error();
  return FormatTimestamp(n.value());
}

struct Case {
  const char* expr;
  const char* zone;
  const char* after;
  const char* want;
};

TEST(Cron, NextFireTimes) {
  const Case cases[] = {
      // Basics (2026-01-05 is a Monday).
      {"* * * * *", "UTC", "2026-01-05T10:00:00Z", "2026-01-05T10:01:00Z"},
      {"* * * * *", "UTC", "2026-01-05T10:00:30Z", "2026-01-05T10:01:00Z"},
      {"0 3 * * 1", "UTC", "2026-01-05T03:00:00Z", "2026-01-12T03:00:00Z"},
      {"0 3 * * 1", "UTC", "2026-01-05T02:59:59Z", "2026-01-05T03:00:00Z"},
      {"*/15 * * * *", "UTC", "2026-01-05T10:07:00Z", "2026-01-05T10:15:00Z"},
      {"5/20 * * * *", "UTC", "2026-01-05T10:26:00Z", "2026-01-05T10:45:00Z"},
      {"0 9-17/4 * * *", "UTC", "2026-01-05T10:00:00Z", "2026-01-05T13:00:00Z"},
      {"0,30 8 * * *", "UTC", "2026-01-05T08:10:00Z", "2026-01-05T08:30:00Z"},
      {"0 0 1 * *", "UTC", "2026-01-05T00:00:00Z", "2026-02-01T00:00:00Z"},
      {"0 0 1 JAN *", "UTC", "2026-01-05T00:00:00Z", "2027-01-01T00:00:00Z"},
      {"0 0 * * MON-FRI", "UTC", "2026-01-09T12:00:00Z", "2026-01-12T00:00:00Z"},
      {"0 0 * * sat,sun", "UTC", "2026-01-05T00:00:00Z", "2026-01-10T00:00:00Z"},
      {"0 0 * * 7", "UTC", "2026-01-05T00:00:00Z", "2026-01-11T00:00:00Z"},   // 7 = Sunday
      // "7/2" is Sunday alone (7 is Sunday's alias); it once selected no day at all, so an
      // accepted schedule never fired (found by fuzz_cron).
      {"0 6 * * 7/2", "UTC", "2026-01-05T00:00:00Z", "2026-01-11T06:00:00Z"},
      {"0 6 * * 5/2", "UTC", "2026-01-05T00:00:00Z", "2026-01-09T06:00:00Z"},
      {"0 0 * * 0", "UTC", "2026-01-05T00:00:00Z", "2026-01-11T00:00:00Z"},
      {"0 0 * * 5-7", "UTC", "2026-01-05T00:00:00Z", "2026-01-09T00:00:00Z"},
      {"0 12 ? * WED", "UTC", "2026-01-05T00:00:00Z", "2026-01-07T12:00:00Z"},
      // Macros.
      {"@daily", "UTC", "2026-01-05T10:00:00Z", "2026-01-06T00:00:00Z"},
      {"@hourly", "UTC", "2026-01-05T10:00:00Z", "2026-01-05T11:00:00Z"},
      {"@weekly", "UTC", "2026-01-05T10:00:00Z", "2026-01-11T00:00:00Z"},
      {"@monthly", "UTC", "2026-01-05T10:00:00Z", "2026-02-01T00:00:00Z"},
      {"@yearly", "UTC", "2026-01-05T10:00:00Z", "2027-01-01T00:00:00Z"},
      // Vixie rule: both day fields restricted -> either matches (the 13th OR a Friday).
      {"0 0 13 * 5", "UTC", "2026-01-05T00:00:00Z", "2026-01-09T00:00:00Z"},
      {"0 0 13 * 5", "UTC", "2026-01-10T00:00:00Z", "2026-01-13T00:00:00Z"},
      // One restricted -> both must match (the 13th that is a Friday: 2026-02-13).
      {"0 0 13 * *", "UTC", "2026-01-14T00:00:00Z", "2026-02-13T00:00:00Z"},
      // */2 in day-of-week is a restriction (robfig): the 1st OR an even weekday.
      {"0 0 1 * */2", "UTC", "2026-01-05T00:00:00Z", "2026-01-06T00:00:00Z"},
      // Feb 29 only in leap years.
      {"0 0 29 2 *", "UTC", "2026-01-01T00:00:00Z", "2028-02-29T00:00:00Z"},
      {"0 0 31 * *", "UTC", "2026-04-01T00:00:00Z", "2026-05-31T00:00:00Z"},
      // Time zones.
      {"0 3 * * *", "Europe/Berlin", "2026-01-05T00:00:00Z", "2026-01-05T02:00:00Z"},   // CET +1
      {"0 3 * * *", "Europe/Berlin", "2026-07-05T00:00:00Z", "2026-07-05T01:00:00Z"},   // CEST +2
      {"0 3 * * *", "America/New_York", "2026-01-05T00:00:00Z", "2026-01-05T08:00:00Z"},
      {"0 3 * * *", "Asia/Kolkata", "2026-01-05T00:00:00Z", "2026-01-05T21:30:00Z"},
      // DST gap, Europe/Berlin 2026-03-29 02:00 CET -> 03:00 CEST: 02:30 does not exist,
      // fires when the gap ends (01:00Z = 03:00 CEST).
      {"30 2 * * *", "Europe/Berlin", "2026-03-28T12:00:00Z", "2026-03-29T01:00:00Z"},
      {"30 2 * * *", "Europe/Berlin", "2026-03-29T01:00:00Z", "2026-03-30T00:30:00Z"},
      // Several gap times collapse into one fire.
      {"*/15 2 * * *", "Europe/Berlin", "2026-03-29T00:50:00Z", "2026-03-29T01:00:00Z"},
      {"*/15 2 * * *", "Europe/Berlin", "2026-03-29T01:00:00Z", "2026-03-30T00:00:00Z"},
      // DST overlap, Europe/Berlin 2026-10-25 03:00 CEST -> 02:00 CET: 02:30 happens
      // twice, fires at the first (00:30Z) only.
      {"30 2 * * *", "Europe/Berlin", "2026-10-24T12:00:00Z", "2026-10-25T00:30:00Z"},
      {"30 2 * * *", "Europe/Berlin", "2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z"},
      // America/New_York: gap 2026-03-08 02:00 EST -> 03:00 EDT; overlap 2026-11-01 01:00-02:00.
      {"30 2 * * *", "America/New_York", "2026-03-07T12:00:00Z", "2026-03-08T07:00:00Z"},
      {"30 1 * * *", "America/New_York", "2026-10-31T12:00:00Z", "2026-11-01T05:30:00Z"},
      {"30 1 * * *", "America/New_York", "2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z"},
      // Empty zone means UTC.
      {"0 3 * * *", "", "2026-01-05T00:00:00Z", "2026-01-05T03:00:00Z"},
  };
  for (const auto& c : cases)
    EXPECT_EQ(Next(c.expr, c.zone, c.after), c.want) << c.expr << " in " << c.zone << " after " << c.after;
}

TEST(Cron, RefusesInvalidExpressions) {
  struct Bad {
    const char* expr;
    const char* zone;
    const char* fragment;
  };
  const Bad cases[] = {
      {"", "UTC", "empty"},
      {"* * * *", "UTC", "expected 5 fields"},
      {"* * * * * *", "UTC", "expected 5 fields"},
      {"60 * * * *", "UTC", "minute: 60 is out of range 0-59"},
      {"* 24 * * *", "UTC", "hour: 24 is out of range"},
      {"* * 0 * *", "UTC", "day-of-month: 0 is out of range"},
      {"* * 32 * *", "UTC", "day-of-month: 32"},
      {"* * * 13 *", "UTC", "month: 13"},
      {"* * * * 8", "UTC", "day-of-week: 8"},
      {"* * * FOO *", "UTC", "month: \"FOO\" is not a number or name"},
      {"* * * * MONDAY", "UTC", "day-of-week"},
      {"10-5 * * * *", "UTC", "runs backwards"},
      {"*/0 * * * *", "UTC", "step must be a positive number"},
      {"*/x * * * *", "UTC", "step"},
      {"1/2/3 * * * *", "UTC", "more than one '/'"},
      {"1-2-3 * * * *", "UTC", "malformed range"},
      {"1,,2 * * * *", "UTC", "empty list element"},
      {"? * * * *", "UTC", "minute"},
      {"-1 * * * *", "UTC", "minute"},
      {"@every 5m", "UTC", "unknown macro"},
      {"@reboot", "UTC", "unknown macro"},
      {"TZ=UTC 0 3 * * *", "UTC", "time zone prefixes"},
      {"CRON_TZ=UTC 0 3 * * *", "UTC", "time zone prefixes"},
      {"0 0 30 2 *", "UTC", "never occurs"},
      {"0 0 31 4,6,9,11 *", "UTC", "never occurs"},
      {"0 3 * * *", "Mars/Olympus", "unknown time zone"},
      {"0 3 * * *", "Local", "unknown time zone"},
  };
  for (const auto& c : cases) {
    auto r = CronSchedule::Parse(c.expr, c.zone);
    ASSERT_FALSE(r.ok()) << c.expr;
    EXPECT_NE(r.error().find(c.fragment), std::string::npos) << c.expr << " -> " << r.error();
  }
}

TEST(Cron, ImpossibleWithDayOfWeekOrIsPossible) {
  // In February: the 30th OR any Monday; the OR rule makes it possible.
  EXPECT_EQ(Next("0 0 30 2 1", "UTC", "2026-01-05T00:00:00Z"), "2026-02-02T00:00:00Z");
}

TEST(Cron, HugeInputIsRefusedQuickly) {
  std::string big(100000, '1');
  EXPECT_FALSE(CronSchedule::Parse(big, "UTC").ok());
  std::string many = "0";
  for (int i = 1; i < 60; ++i) many += "," + std::to_string(i);
  EXPECT_TRUE(CronSchedule::Parse(many + " * * * *", "UTC").ok());
}

TEST(Cron, KnowsTimeZones) {
  EXPECT_TRUE(IsKnownTimeZone("UTC"));
  EXPECT_TRUE(IsKnownTimeZone("Europe/Berlin"));
  EXPECT_TRUE(IsKnownTimeZone("America/New_York"));
  EXPECT_FALSE(IsKnownTimeZone(""));
  EXPECT_FALSE(IsKnownTimeZone("Europe/Atlantis"));
  EXPECT_FALSE(IsKnownTimeZone("../../etc/passwd"));
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::rotation
