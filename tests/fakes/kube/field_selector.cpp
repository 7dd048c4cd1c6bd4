#include "tests/fakes/kube/field_selector.h"

#include <set>
#include <stdexcept>

namespace keyroll::fakes {
namespace {

// Kind-specific fields; kinds listed here answer an unknown field with "field label not
// supported", all others with "is not a known field selector" (as the real converters do).
const std::set<std::string>* ExtraFields(const ResourceType& type) {
  static const std::set<std::string> secrets = {"type"};
  static const std::set<std::string> namespaces = {"status.phase"};
  static const std::set<std::string> pods = {"spec.nodeName", "status.phase",
                                             "spec.restartPolicy", "spec.serviceAccountName"};
  static const std::set<std::string> events = {
      "involvedObject.kind",      "involvedObject.namespace", "involvedObject.name",
      "involvedObject.uid",       "involvedObject.apiVersion", "involvedObject.resourceVersion",
      "involvedObject.fieldPath", "reason", "reportingComponent", "source", "type"};
  if (!type.group.empty() || type.custom) return nullptr;
  if (type.plural == "secrets") return &secrets;
  if (type.plural == "namespaces") return &namespaces;
  if (type.plural == "pods") return &pods;
  if (type.plural == "events") return &events;
  return nullptr;
}

// Splits on unescaped commas; keeps backslash escapes for the term parser.
std::vector<std::string> SplitTerms(const std::string& text) {
  std::vector<std::string> out;
  std::string cur;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size()) {
      cur += text[i];
      cur += text[++i];
    } else if (text[i] == ',') {
      out.push_back(cur);
      cur.clear();
    } else {
      cur += text[i];
    }
  }
  out.push_back(cur);
  return out;
}

std::string Unescape(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size()) ++i;
    out += s[i];
  }
  return out;
}

std::string FieldValue(const nlohmann::json& object, const std::string& field) {
  const nlohmann::json* cur = &object;
  size_t start = 0;
  while (start <= field.size()) {
    size_t dot = field.find('.', start);
    std::string part = field.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (!cur->is_object() || !cur->contains(part)) return "";
    cur = &(*cur)[part];
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  if (cur->is_string()) return cur->get<std::string>();
  if (cur->is_null()) return "";
  return cur->dump();
}

}  // namespace

FieldSelector FieldSelector::Parse(const std::string& text, const ResourceType& type) {
  FieldSelector sel;
  if (text.empty()) return sel;
  const auto* extra = ExtraFields(type);
  for (const auto& raw : SplitTerms(text)) {
    if (raw.empty()) continue;
    Term t;
    size_t op;
    size_t value_at;
    if ((op = raw.find("!=")) != std::string::npos) {
      t.equals = false;
      value_at = op + 2;
    } else if ((op = raw.find("==")) != std::string::npos) {
      t.equals = true;
      value_at = op + 2;
    } else if ((op = raw.find('=')) != std::string::npos) {
      t.equals = true;
      value_at = op + 1;
    } else {
      throw std::invalid_argument("invalid selector: '" + text + "'; can't understand '" + raw +
                                  "'");
    }
    t.field = raw.substr(0, op);
    t.value = Unescape(raw.substr(value_at));
    bool known = t.field == "metadata.name" || t.field == "metadata.namespace" ||
                 (extra && extra->count(t.field));
    if (!known) {
      if (extra) throw std::invalid_argument("field label not supported: " + t.field);
      throw std::invalid_argument("\"" + t.field +
                                  "\" is not a known field selector: only \"metadata.name\", "
                                  "\"metadata.namespace\"");
    }
    sel.terms_.push_back(std::move(t));
  }
  return sel;
}

bool FieldSelector::Matches(const nlohmann::json& object) const {
  for (const auto& t : terms_) {
    bool equal = FieldValue(object, t.field) == t.value;
    if (equal != t.equals) return false;
  }
  return true;
}

}  // namespace keyroll::fakes
