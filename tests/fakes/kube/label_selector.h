// label_selector: parses and matches Kubernetes label selectors in their full string syntax:
// a=b, a==b, a!=b, a in (x,y), a notin (x), a, !a, a>1, a<1; commas AND the requirements.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace keyroll::fakes {

class LabelSelector {
 public:
  // Throws std::invalid_argument with a message like the API server's on bad syntax.
  static LabelSelector Parse(const std::string& text);
  bool Matches(const std::map<std::string, std::string>& labels) const;
  bool Empty() const { return requirements_.empty(); }

 private:
  enum class Op { Equals, NotEquals, In, NotIn, Exists, DoesNotExist, Greater, Less };
  struct Requirement {
    std::string key;
    Op op;
    std::vector<std::string> values;
  };
  std::vector<Requirement> requirements_;
};

}  // namespace keyroll::fakes
