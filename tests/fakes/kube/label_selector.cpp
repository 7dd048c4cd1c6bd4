#include "tests/fakes/kube/label_selector.h"

#include <cctype>
#include <stdexcept>

namespace keyroll::fakes {
namespace {

bool IsNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' ||
         c == '/';
}

// A small cursor over the selector text.
class Scanner {
 public:
  explicit Scanner(const std::string& s) : s_(s) {}
  void SkipSpace() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  }
  bool AtEnd() {
    SkipSpace();
    return pos_ >= s_.size();
  }
  char Peek() {
    SkipSpace();
    return pos_ < s_.size() ? s_[pos_] : '\0';
  }
  bool Consume(const std::string& token) {
    SkipSpace();
    if (s_.compare(pos_, token.size(), token) == 0) {
      pos_ += token.size();
      return true;
    }
    return false;
  }
  std::string Name() {
    SkipSpace();
    size_t start = pos_;
    while (pos_ < s_.size() && IsNameChar(s_[pos_])) ++pos_;
    return s_.substr(start, pos_ - start);
  }
  // A keyword (in / notin) must be followed by a space or '('.
  bool ConsumeWord(const std::string& word) {
    SkipSpace();
    if (s_.compare(pos_, word.size(), word) != 0) return false;
    size_t after = pos_ + word.size();
    if (after < s_.size() && IsNameChar(s_[after])) return false;
    pos_ = after;
    return true;
  }

 private:
  const std::string& s_;
  size_t pos_ = 0;
};

[[noreturn]] void Fail(const std::string& detail) {
  throw std::invalid_argument("unable to parse requirement: " + detail);
}

std::vector<std::string> ValueSet(Scanner& sc) {
  if (!sc.Consume("(")) Fail("found '" + std::string(1, sc.Peek()) + "', expected: '('");
  std::vector<std::string> values;
  while (true) {
    values.push_back(sc.Name());
    if (sc.Consume(",")) continue;
    if (sc.Consume(")")) break;
    Fail("found '" + std::string(1, sc.Peek()) + "', expected: ',' or ')'");
  }
  return values;
}

}  // namespace

LabelSelector LabelSelector::Parse(const std::string& text) {
  LabelSelector sel;
  Scanner sc(text);
  if (sc.AtEnd()) return sel;
  while (true) {
    Requirement r;
    if (sc.Consume("!")) {
      r.key = sc.Name();
      r.op = Op::DoesNotExist;
    } else {
      r.key = sc.Name();
      if (r.key.empty()) Fail("found '" + std::string(1, sc.Peek()) + "', expected: identifier");
      if (sc.Consume("==") || sc.Consume("=")) {
        r.op = Op::Equals;
        r.values = {sc.Name()};
      } else if (sc.Consume("!=")) {
        r.op = Op::NotEquals;
        r.values = {sc.Name()};
      } else if (sc.Consume(">")) {
        r.op = Op::Greater;
        r.values = {sc.Name()};
      } else if (sc.Consume("<")) {
        r.op = Op::Less;
        r.values = {sc.Name()};
      } else if (sc.ConsumeWord("notin")) {
        r.op = Op::NotIn;
        r.values = ValueSet(sc);
      } else if (sc.ConsumeWord("in")) {
        r.op = Op::In;
        r.values = ValueSet(sc);
      } else {
        r.op = Op::Exists;
      }
    }
    if (r.key.empty()) Fail("found '" + std::string(1, sc.Peek()) + "', expected: identifier");
    if ((r.op == Op::Greater || r.op == Op::Less)) {
      try {
        std::stoll(r.values[0]);
      } catch (...) {
        Fail("for 'Gt', 'Lt' operators, the value must be an integer");
      }
    }
    sel.requirements_.push_back(std::move(r));
    if (sc.AtEnd()) break;
    if (!sc.Consume(",")) Fail("found '" + std::string(1, sc.Peek()) + "', expected: ',' or 'end of string'");
  }
  return sel;
}

bool LabelSelector::Matches(const std::map<std::string, std::string>& labels) const {
  for (const auto& r : requirements_) {
    auto it = labels.find(r.key);
    bool has = it != labels.end();
    auto in_values = [&] {
      for (const auto& v : r.values) if (has && it->second == v) return true;
      return false;
    };
    bool ok = false;
    switch (r.op) {
      case Op::Equals: ok = has && it->second == r.values[0]; break;
      case Op::NotEquals: ok = !has || it->second != r.values[0]; break;
      case Op::In: ok = in_values(); break;
      case Op::NotIn: ok = !in_values(); break;
      case Op::Exists: ok = has; break;
      case Op::DoesNotExist: ok = !has; break;
      case Op::Greater:
      case Op::Less: {
        if (!has) break;
        try {
          long long v = std::stoll(it->second), limit = std::stoll(r.values[0]);
          ok = r.op == Op::Greater ? v > limit : v < limit;
        } catch (...) {
          ok = false;
        }
        break;
      }
    }
    if (!ok) return false;
  }
  return true;
}

}  // namespace keyroll::fakes
