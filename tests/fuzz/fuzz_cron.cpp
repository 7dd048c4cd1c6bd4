// Fuzzes the cron parser and the next-fire search: the first line is the expression, the
// second the time zone. An accepted schedule must find a next fire time (Parse promises it).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "operator/rotation/cron.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto nl = in.find('\n');
  std::string_view expr = in.substr(0, nl);
  std::string_view zone = nl == std::string_view::npos ? "" : in.substr(nl + 1);
  auto c = keyroll::rotation::CronSchedule::Parse(expr, zone);
  if (!c) return 0;
  using namespace std::chrono;
  keyroll::rotation::Time t = sys_days{year{2026} / 11 / 29} + hours{23} + minutes{59};
  auto next = c->NextAfter(t);
  if (!next || *next <= t) __builtin_trap();
  return 0;
}
