// field_selector: the field selectors a real API server accepts: metadata.name and
// metadata.namespace with =, == and != for every kind, plus the few extra fields some built-in
// kinds support (secrets: type; events: involvedObject.*, reason, type, ...; namespaces:
// status.phase; pods: spec.nodeName, status.phase).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/fakes/kube/resource_types.h"

namespace keyroll::fakes {

class FieldSelector {
 public:
  // Throws std::invalid_argument with the real server's message for bad syntax or an
  // unsupported field.
  static FieldSelector Parse(const std::string& text, const ResourceType& type);
  bool Matches(const nlohmann::json& object) const;
  bool Empty() const { return terms_.empty(); }

 private:
  struct Term {
    std::string field;
    bool equals;
    std::string value;
  };
  std::vector<Term> terms_;
};

}  // namespace keyroll::fakes
