// format.cpp — see format.h.
#include "cli/format.h"

#include <date/tz.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>

#include "cli/colour.h"

namespace keyroll::cli {

std::string FormatAge(rotation::Seconds age) {
  long long s = std::max<long long>(0, age.count());
  auto two = [](long long a, const char* ua, long long b, const char* ub) {
    return std::to_string(a) + ua + (b ? std::to_string(b) + ub : "");
  };
  if (s < 120) return std::to_string(s) + "s";
  if (s < 3600) return two(s / 60, "m", s % 60 && s < 600 ? s % 60 : 0, "s");
  if (s < 86400) return two(s / 3600, "h", (s % 3600) / 60, "m");
  return two(s / 86400, "d", (s % 86400) / 3600, "h");
}

std::string FormatInZone(rotation::Time t, const std::string& zone) {
  try {
    if (!zone.empty() && zone != "UTC") return date::format("%F %R %Z", date::make_zoned(zone, t));
  } catch (const std::exception&) {
    // an unknown zone: the spec is invalid anyway; show UTC
  }
  return date::format("%F %R UTC", t);
}

std::string Truncate(const std::string& text, size_t width) {
  if (width == 0 || text.size() <= width) return text;
  return text.substr(0, width > 3 ? width - 3 : 0) + "...";
}

void PrintTable(std::ostream& out, const Row& headers, const std::vector<Row>& rows) {
  std::vector<size_t> width(headers.size());
  for (size_t i = 0; i < headers.size(); ++i) width[i] = VisibleLength(headers[i]);
  for (const auto& r : rows)
    for (size_t i = 0; i < r.size() && i < width.size(); ++i)
      width[i] = std::max(width[i], VisibleLength(r[i]));
  auto line = [&](const Row& r) {
    std::string s;
    for (size_t i = 0; i < r.size(); ++i) {
      s += r[i];
      if (i + 1 < r.size()) s += std::string(width[i] - VisibleLength(r[i]) + 3, ' ');
    }
    out << s << "\n";
  };
  line(headers);
  for (const auto& r : rows) line(r);
}

namespace {

void Emit(YAML::Emitter& e, const nlohmann::json& v) {
  if (v.is_object()) {
    e << YAML::BeginMap;
    for (auto it = v.begin(); it != v.end(); ++it) {
      e << YAML::Key << it.key() << YAML::Value;
      Emit(e, it.value());
    }
    e << YAML::EndMap;
  } else if (v.is_array()) {
    e << YAML::BeginSeq;
    for (const auto& x : v) Emit(e, x);
    e << YAML::EndSeq;
  } else if (v.is_string()) {
    e << YAML::DoubleQuoted << v.get<std::string>();
  } else if (v.is_null()) {
    e << YAML::Null;
  } else {
    e << v.dump();  // numbers and booleans as JSON spells them
  }
}

}  // namespace

std::string ToYaml(const nlohmann::json& value) {
  YAML::Emitter e;
  Emit(e, value);
  return std::string(e.c_str()) + "\n";
}

}  // namespace keyroll::cli
