// promql_names: which metric names a PromQL expression reads, and which names keyroll exports
// (the vocabulary's metric names, which operator/http/metrics.cpp registers; histograms with
// their _bucket, _sum and _count series). Used by
// the alert and dashboard tests. Header-only.
#pragma once

#include <cctype>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "tests/manifests/manifest_files.h"

namespace keyroll::testing::manifests {

inline std::set<std::string> ExportedMetrics() {
  // Every metric name of the vocabulary (kMetricX = "keyroll_..."), which metrics.cpp registers.
  std::map<std::string, std::string> names;  // constant -> metric name
  static const std::regex constant(R"x((kMetric\w+) = "(keyroll_[a-z_]+)")x");
  const std::string text = ReadFile(SourcePath("operator/rotation/vocabulary.h"));
  for (auto it = std::sregex_iterator(text.begin(), text.end(), constant); it != std::sregex_iterator(); ++it)
    names[(*it)[1]] = (*it)[2];
  std::set<std::string> out;
  for (const auto& [k, name] : names) out.insert(name);
  // Histograms (BuildHistogram().Name(Name(vocab::kMetricX))) also have _bucket, _sum, _count.
  const std::string source = ReadFile(SourcePath("operator/http/metrics.cpp"));
  static const std::regex histogram(R"(BuildHistogram\(\)\s*\.Name\(Name\(vocab::(kMetric\w+)\)\))");
  for (auto it = std::sregex_iterator(source.begin(), source.end(), histogram); it != std::sregex_iterator(); ++it)
    if (auto n = names.find((*it)[1]); n != names.end())
      for (const char* suffix : {"_bucket", "_sum", "_count"}) out.insert(n->second + suffix);
  // And any name metrics.cpp spells out itself.
  static const std::regex literal(R"x("(keyroll_[a-z_]+)")x");
  for (auto it = std::sregex_iterator(source.begin(), source.end(), literal); it != std::sregex_iterator(); ++it)
    out.insert((*it)[1]);
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
