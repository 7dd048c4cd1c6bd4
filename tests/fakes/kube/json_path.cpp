#include "tests/fakes/kube/json_path.h"

namespace keyroll::fakes {
namespace {

using json = nlohmann::json;

struct Step {
  enum Kind { Field, Index, All, Filter } kind;
  std::string field;  // Field name, or Filter key
  long index = 0;
  std::string value;  // Filter value
};

// Parses "[...]" starting at path[i] == '['; returns the position after ']'.
size_t ParseBracket(const std::string& p, size_t i, std::vector<Step>* steps) {
  size_t close = p.find(']', i);
  if (close == std::string::npos) return std::string::npos;
  std::string inner = p.substr(i + 1, close - i - 1);
  if (inner == "*") {
    steps->push_back({Step::All, "", 0, ""});
  } else if (inner.rfind("?(@.", 0) == 0) {
    // ?(@.key=="value") or ?(@.key=='value')
    size_t eq = inner.find("==");
    if (eq == std::string::npos) return std::string::npos;
    std::string key = inner.substr(4, eq - 4);
    std::string value = inner.substr(eq + 2);
    if (!value.empty() && value.back() == ')') value.pop_back();
    if (value.size() >= 2 && (value[0] == '"' || value[0] == '\'')) value = value.substr(1, value.size() - 2);
    steps->push_back({Step::Filter, key, 0, value});
  } else {
    try {
      steps->push_back({Step::Index, "", std::stol(inner), ""});
    } catch (...) {
      return std::string::npos;
    }
  }
  return close + 1;
}

bool Parse(std::string p, std::vector<Step>* steps) {
  if (p.size() >= 2 && p.front() == '{' && p.back() == '}') p = p.substr(1, p.size() - 2);
  size_t i = 0;
  if (!p.empty() && p[0] == '$') ++i;
  while (i < p.size()) {
    if (p[i] == '.') {
      ++i;
      std::string name;
      while (i < p.size() && p[i] != '.' && p[i] != '[') {
        if (p[i] == '\\' && i + 1 < p.size()) ++i;
        name += p[i++];
      }
      if (!name.empty()) steps->push_back({Step::Field, name, 0, ""});
    } else if (p[i] == '[') {
      i = ParseBracket(p, i, steps);
      if (i == std::string::npos) return false;
    } else {
      return false;
    }
  }
  return true;
}

std::string Scalar(const json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

}  // namespace

std::vector<json> EvalJsonPath(const json& root, const std::string& path) {
  std::vector<Step> steps;
  if (!Parse(path, &steps)) return {};
  std::vector<const json*> current = {&root};
  for (const auto& step : steps) {
    std::vector<const json*> next;
    for (const json* node : current) {
      switch (step.kind) {
        case Step::Field:
          if (node->is_object() && node->contains(step.field)) next.push_back(&(*node)[step.field]);
          break;
        case Step::Index:
          if (node->is_array()) {
            long n = static_cast<long>(node->size());
            long idx = step.index < 0 ? n + step.index : step.index;
            if (idx >= 0 && idx < n) next.push_back(&(*node)[static_cast<size_t>(idx)]);
          }
          break;
        case Step::All:
          if (node->is_array()) for (const auto& e : *node) next.push_back(&e);
          break;
        case Step::Filter:
          if (node->is_array()) {
            for (const auto& e : *node) {
              if (e.is_object() && e.contains(step.field) && Scalar(e[step.field]) == step.value) {
                next.push_back(&e);
              }
            }
          }
          break;
      }
    }
    current = std::move(next);
  }
  std::vector<json> out;
  for (const json* n : current) out.push_back(*n);
  return out;
}

}  // namespace keyroll::fakes
