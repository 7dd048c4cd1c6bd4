// selector.h — metav1.LabelSelector as a value type: matching against a label map (for
// the controller's informer cache) and rendering as a `labelSelector=` query string.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace keyroll::rotation {

using StringMap = std::map<std::string, std::string>;

enum class SelectorOperator { In, NotIn, Exists, DoesNotExist };

struct SelectorRequirement {
  std::string key;
  SelectorOperator op = SelectorOperator::In;
  std::vector<std::string> values;
  bool operator==(const SelectorRequirement&) const = default;
};

struct LabelSelector {
  StringMap match_labels;
  std::vector<SelectorRequirement> match_expressions;
  bool operator==(const LabelSelector&) const = default;
};

bool Matches(const LabelSelector& selector, const StringMap& labels);
// "a=b,k in (x,y),!gone" — the API server's labelSelector syntax.
std::string ToQueryString(const LabelSelector& selector);

}  // namespace keyroll::rotation
