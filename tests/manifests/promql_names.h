// promql_names: which metric names a PromQL expression reads, and which names keyroll exports
// (the list at the top of operator/http/metrics.h, histograms with their _bucket, _sum and
// _count series, plus every "keyroll_..." name operator/http/metrics.cpp registers). Used by
// the alert and dashboard tests. Header-only.
#pragma once

#include <cctype>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "tests/manifests/manifest_files.h"

namespace keyroll::testing::manifests {

inline std::set<std::string> ExportedMetrics() {
  std::set<std::string> out;
  static const std::regex line(R"(^//\s+(keyroll_[a-z_]+)(\{[^}]*\})?\s+(\S+))");
  std::istringstream lines(ReadFile(SourcePath("operator/http/metrics.h")));
  for (std::string text; std::getline(lines, text);) {
    std::smatch m;
    if (!std::regex_search(text, m, line)) continue;
    out.insert(m[1]);
    if (m[3].str().rfind("histogram", 0) == 0) {
      for (const char* suffix : {"_bucket", "_sum", "_count"}) out.insert(m[1].str() + suffix);
    }
  }
  const std::string source = ReadFile(SourcePath("operator/http/metrics.cpp"));
  static const std::regex literal(R"x("(keyroll_[a-z_]+)")x");
  for (auto it = std::sregex_iterator(source.begin(), source.end(), literal);
       it != std::sregex_iterator(); ++it) {
    out.insert((*it)[1]);
  }
  return out;
}

// Metric names in `expr`: identifiers left after removing strings, label matchers, ranges,
// grouping label lists, function calls and keywords.
inline std::set<std::string> MetricNamesIn(std::string expr) {
  for (const char* pattern :
       {R"("([^"\\]|\\.)*")", R"('([^'\\]|\\.)*')", R"(\{[^}]*\})", R"(\[[^\]]*\])",
        R"(\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\))"}) {
    expr = std::regex_replace(expr, std::regex(pattern), " ");
  }
  static const std::set<std::string> keywords = {"and", "or", "unless", "offset", "bool",
                                                 "by", "without", "inf", "nan", "Inf", "NaN"};
  static const std::regex ident(R"(([A-Za-z_:][A-Za-z0-9_:]*)\s*(\(?))");
  std::set<std::string> out;
  for (auto it = std::sregex_iterator(expr.begin(), expr.end(), ident); it != std::sregex_iterator();
       ++it) {
    const std::size_t at = it->position(0);
    if (at > 0 && (std::isalnum(static_cast<unsigned char>(expr[at - 1])) || expr[at - 1] == '.')) {
      continue;  // the tail of a number such as 1e3 or 0.5
    }
    if ((*it)[2].length() > 0 || keywords.count((*it)[1])) continue;  // a function or keyword
    out.insert((*it)[1]);
  }
  return out;
}

}  // namespace keyroll::testing::manifests
