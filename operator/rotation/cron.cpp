// cron.cpp — field parsing and a bounded day-by-day search for the next fire time.
#include "operator/rotation/cron.h"

#include <date/tz.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <vector>

namespace keyroll::rotation {
namespace {

using Error = std::string;

struct FieldSpec {
  const char* name;
  int min, max;
  const char* const* names;  // aliases for min..min+count-1, or nullptr
  int name_base;             // value of names[0]
  int name_count;
};

constexpr const char* kMonthNames[] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                       "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
constexpr const char* kDayNames[] = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"};

constexpr FieldSpec kFields[5] = {
    {"minute", 0, 59, nullptr, 0, 0},
    {"hour", 0, 23, nullptr, 0, 0},
    {"day-of-month", 1, 31, nullptr, 0, 0},
    {"month", 1, 12, kMonthNames, 1, 12},
    {"day-of-week", 0, 7, kDayNames, 0, 7},
};

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); ++i)
    if (i == s.size() || s[i] == sep) {
      out.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  return out;
}

Result<int, Error> Value(std::string_view text, const FieldSpec& f) {
  if (text.empty()) return Err{std::string(f.name) + ": empty value"};
  if (std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    if (text.size() > 4) return Err{std::string(f.name) + ": value too large"};
    int v = std::stoi(std::string(text));
    if (v < f.min || v > f.max)
      return Err{std::string(f.name) + ": " + std::string(text) + " is out of range " +
                 std::to_string(f.min) + "-" + std::to_string(f.max)};
    return v;
  }
  std::string upper;
  for (char c : text) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (int i = 0; i < f.name_count; ++i)
    if (upper == f.names[i]) return f.name_base + i;
  std::string shown(text.substr(0, 32));
  return Err{std::string(f.name) + ": \"" + shown + "\" is not a number" +
             (f.names ? " or name" : "")};
}

// Parses one comma-separated field into bits; sets `star` when the field is `*` or `?`.
template <size_t N>
Result<bool, Error> ParseField(std::string_view field, const FieldSpec& f, std::bitset<N>& bits,
                               bool allow_question) {
  bool star = false;
  if (field.empty()) return Err{std::string(f.name) + ": empty field"};
  for (std::string_view part : Split(field, ',')) {
    if (part.empty()) return Err{std::string(f.name) + ": empty list element"};
    auto slash = Split(part, '/');
    if (slash.size() > 2) return Err{std::string(f.name) + ": more than one '/' in \"" +
                                     std::string(part.substr(0, 32)) + "\""};
    int step = 1;
    if (slash.size() == 2) {
      auto s = Value(slash[1], FieldSpec{f.name, 1, 9999, nullptr, 0, 0});
      if (!s) return Err{std::string(f.name) + ": step must be a positive number"};
      step = *s;
      if (step > f.max - f.min + 1 && f.max != 7)
        return Err{std::string(f.name) + ": step " + std::to_string(step) + " is larger than the range"};
    }
    std::string_view range = slash[0];
    int lo, hi;
    if (range == "*" || (allow_question && range == "?")) {
      lo = f.min;
      hi = f.max == 7 ? 6 : f.max;  // 7 is an alias, not an extra day
      if (step == 1) star = true;
    } else {
      auto dash = Split(range, '-');
      if (dash.size() > 2) return Err{std::string(f.name) + ": malformed range \"" +
                                      std::string(range.substr(0, 32)) + "\""};
      auto a = Value(dash[0], f);
      if (!a) return Err{a.error()};
      lo = *a;
      hi = lo;
      if (dash.size() == 2) {
        auto b = Value(dash[1], f);
        if (!b) return Err{b.error()};
        hi = *b;
        if (hi < lo)
          return Err{std::string(f.name) + ": range " + std::string(range) + " runs backwards"};
      } else if (slash.size() == 2) {
        // "N/S" means N-max/S; for day-of-week max is 6 (7 is Sunday's alias), except "7/S".
        hi = f.max == 7 ? std::max(lo, 6) : f.max;
      }
    }
    for (int v = lo; v <= hi; v += step) bits.set(static_cast<size_t>(v == 7 && f.max == 7 ? 0 : v));
  }
  return star;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string_view ExpandMacro(std::string_view e) {
  if (e == "@yearly" || e == "@annually") return "0 0 1 1 *";
  if (e == "@monthly") return "0 0 1 * *";
  if (e == "@weekly") return "0 0 * * 0";
  if (e == "@daily" || e == "@midnight") return "0 0 * * *";
  if (e == "@hourly") return "0 * * * *";
  return {};
}

const date::time_zone* FindZone(std::string_view name) {
  try {
    return date::locate_zone(name.empty() ? std::string_view("UTC") : name);
  } catch (const std::exception&) {
    return nullptr;
  }
}

}  // namespace

bool IsKnownTimeZone(std::string_view name) {
  if (name.empty() || name.size() > 128) return false;
  return FindZone(name) != nullptr;
}

Result<CronSchedule, std::string> CronSchedule::Parse(std::string_view expression,
                                                      std::string_view time_zone) {
  CronSchedule c;
  c.expression_ = std::string(expression);
  c.zone_ = time_zone.empty() ? "UTC" : std::string(time_zone);
  std::string_view e = Trim(expression);
  if (e.empty()) return Err{std::string("empty schedule")};
  if (e.size() > 256) return Err{std::string("schedule is too long")};
  if (e.starts_with("TZ=") || e.starts_with("CRON_TZ="))
    return Err{std::string("time zone prefixes are not supported: use spec.rotation.timeZone")};
  if (e[0] == '@') {
    std::string_view expanded = ExpandMacro(e);
    if (expanded.empty())
      return Err{"unknown macro \"" + std::string(e.substr(0, 32)) +
                 "\" (use @yearly, @monthly, @weekly, @daily or @hourly)"};
    e = expanded;
  }
  std::vector<std::string_view> fields;
  for (size_t i = 0; i < e.size();) {
    while (i < e.size() && std::isspace(static_cast<unsigned char>(e[i]))) ++i;
    size_t start = i;
    while (i < e.size() && !std::isspace(static_cast<unsigned char>(e[i]))) ++i;
    if (i > start) fields.push_back(e.substr(start, i - start));
  }
  if (fields.size() != 5)
    return Err{"expected 5 fields (minute hour day-of-month month day-of-week), got " +
               std::to_string(fields.size())};
  if (auto r = ParseField(fields[0], kFields[0], c.minutes_, false); !r) return Err{r.error()};
  if (auto r = ParseField(fields[1], kFields[1], c.hours_, false); !r) return Err{r.error()};
  auto dom = ParseField(fields[2], kFields[2], c.days_of_month_, true);
  if (!dom) return Err{dom.error()};
  if (auto r = ParseField(fields[3], kFields[3], c.months_, false); !r) return Err{r.error()};
  auto dow = ParseField(fields[4], kFields[4], c.days_of_week_, true);
  if (!dow) return Err{dow.error()};
  c.dom_star_ = *dom;
  c.dow_star_ = *dow;
  if (!FindZone(c.zone_)) return Err{"unknown time zone \"" + c.zone_.substr(0, 64) + "\""};
  // A schedule must be able to fire: with day-of-week unrestricted (or AND semantics),
  // some chosen month must have some chosen day of month.
  if (c.dow_star_) {
    static constexpr int kDaysIn[13] = {0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool possible = false;
    for (int m = 1; m <= 12 && !possible; ++m)
      for (int d = 1; d <= kDaysIn[m] && c.months_[m] && !possible; ++d)
        possible = c.days_of_month_[d];
    if (!possible) return Err{std::string("the day-of-month never occurs in the chosen months")};
  }
  return c;
}

bool CronSchedule::DayMatches(int dom, int month, int weekday) const {
  if (!months_[month]) return false;
  bool dom_ok = days_of_month_[dom];
  bool dow_ok = days_of_week_[weekday];
  if (dom_star_ || dow_star_) return dom_ok && dow_ok;
  return dom_ok || dow_ok;
}

Result<Time, std::string> CronSchedule::NextAfter(Time after) const {
  using namespace std::chrono;
  const date::time_zone* zone = FindZone(zone_);
  if (!zone) return Err{"unknown time zone \"" + zone_ + "\""};
  const auto start_local = floor<minutes>(zone->to_local(after));
  const auto first_day = floor<date::days>(start_local);
  const auto last_day = first_day + date::days{366 * kSearchYears + 2};
  for (auto day = first_day; day <= last_day; day += date::days{1}) {
    date::year_month_day ymd{day};
    int weekday = static_cast<int>(date::weekday{day}.c_encoding());
    if (!DayMatches(static_cast<int>(unsigned(ymd.day())), static_cast<int>(unsigned(ymd.month())),
                    weekday))
      continue;
    for (int h = 0; h < 24; ++h) {
      if (!hours_[h]) continue;
      if (day + hours{h} + minutes{59} < start_local) continue;
      for (int m = 0; m < 60; ++m) {
        if (!minutes_[m]) continue;
        date::local_seconds local{day + hours{h} + minutes{m}};
        if (local < start_local) continue;
        auto info = zone->get_info(local);
        Time fire;
        if (info.result == date::local_info::nonexistent) {
          fire = info.second.begin;  // the instant the gap ends
        } else {
          // unique, or ambiguous: the first occurrence (earlier offset).
          fire = Time{local.time_since_epoch()} - info.first.offset;
        }
        if (fire > after) return fire;
      }
    }
  }
  return Err{"schedule \"" + expression_ + "\" does not fire within " +
             std::to_string(kSearchYears) + " years"};
}

}  // namespace keyroll::rotation
