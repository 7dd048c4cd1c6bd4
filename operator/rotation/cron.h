// cron.h — 5-field cron schedules (minute hour day-of-month month day-of-week) evaluated
// in an IANA time zone, as Kubernetes CronJob (robfig/cron v3) reads them.
//
// Grammar: per field a comma list of `*`, `?` (day fields), `N`, `N-M`, `*/S`, `N-M/S`,
// `N/S` (= N-max/S); month names JAN-DEC and day names SUN-SAT (any case); day-of-week
// 0 and 7 are Sunday. Macros @yearly @annually @monthly @weekly @daily @midnight @hourly.
// Day matching (Vixie/robfig rule): when both day-of-month and day-of-week are restricted
// (neither is exactly `*`/`?`), a day matches if EITHER matches; otherwise both must.
// A `CRON_TZ=`/`TZ=` prefix is refused: the zone belongs in spec.rotation.timeZone.
//
// Daylight saving time (fire times are local wall-clock times):
//  - a wall time that does not exist (spring-forward gap) fires once, at the instant the
//    gap ends (e.g. 02:30 Europe/Berlin on the last Sunday of March fires at 03:00 CEST),
//    so a daily job is never skipped;
//  - a wall time that happens twice (fall-back overlap) fires at its first occurrence
//    only, so a daily job never fires twice. (Consequence: a per-minute/hourly schedule
//    is quiet during the repeated hour; keyroll rotations are hours apart anyway.)
// The zone comes from the OS tzdb (/usr/share/zoneinfo, date/tz built with USE_OS_TZDB).
#pragma once

#include <bitset>
#include <string>
#include <string_view>

#include "operator/rotation/result.h"
#include "operator/rotation/timestamp.h"

namespace keyroll::rotation {

class CronSchedule {
 public:
  // Validates the expression and the zone ("" means UTC). Refuses expressions that can
  // never fire (e.g. "0 0 30 2 *") with a message saying why.
  static Result<CronSchedule, std::string> Parse(std::string_view expression,
                                                 std::string_view time_zone);

  // The first fire time strictly after `after`. Searches at most kSearchYears ahead and
  // answers an error beyond that (it cannot happen for a schedule Parse accepted).
  Result<Time, std::string> NextAfter(Time after) const;

  const std::string& expression() const { return expression_; }
  const std::string& time_zone() const { return zone_; }
  bool operator==(const CronSchedule& o) const {
    return expression_ == o.expression_ && zone_ == o.zone_;
  }

  static constexpr int kSearchYears = 5;

 private:
  bool DayMatches(int day_of_month, int month, int weekday) const;

  std::string expression_;
  std::string zone_;
  std::bitset<60> minutes_;
  std::bitset<24> hours_;
  std::bitset<32> days_of_month_;  // 1..31
  std::bitset<13> months_;         // 1..12
  std::bitset<7> days_of_week_;    // 0..6, Sunday = 0
  bool dom_star_ = false;
  bool dow_star_ = false;
};

// True when `name` is a zone the tzdb knows ("UTC" included). No exceptions.
bool IsKnownTimeZone(std::string_view name);

}  // namespace keyroll::rotation
