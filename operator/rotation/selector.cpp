// selector.cpp — label selector semantics as the API server applies them.
#include "operator/rotation/selector.h"

#include <algorithm>

namespace keyroll::rotation {

bool Matches(const LabelSelector& s, const StringMap& labels) {
  for (const auto& [k, v] : s.match_labels) {
    auto it = labels.find(k);
    if (it == labels.end() || it->second != v) return false;
  }
  for (const auto& r : s.match_expressions) {
    auto it = labels.find(r.key);
    bool has = it != labels.end();
    bool in = has && std::find(r.values.begin(), r.values.end(), it->second) != r.values.end();
    switch (r.op) {
      case SelectorOperator::In: if (!in) return false; break;
      case SelectorOperator::NotIn: if (in) return false; break;
      case SelectorOperator::Exists: if (!has) return false; break;
      case SelectorOperator::DoesNotExist: if (has) return false; break;
    }
  }
  return true;
}

std::string ToQueryString(const LabelSelector& s) {
  std::vector<std::string> parts;
  for (const auto& [k, v] : s.match_labels) parts.push_back(k + "=" + v);
  for (const auto& r : s.match_expressions) {
    std::string values;
    for (const auto& v : r.values) values += (values.empty() ? "" : ",") + v;
    switch (r.op) {
      case SelectorOperator::In: parts.push_back(r.key + " in (" + values + ")"); break;
      case SelectorOperator::NotIn: parts.push_back(r.key + " notin (" + values + ")"); break;
      case SelectorOperator::Exists: parts.push_back(r.key); break;
      case SelectorOperator::DoesNotExist: parts.push_back("!" + r.key); break;
    }
  }
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : ",") + p;
  return out;
}

}  // namespace keyroll::rotation
