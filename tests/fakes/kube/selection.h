// selection: which objects a list, watch or deletecollection is about: a namespace (or all),
// a label selector and a field selector, parsed from the query (400 on bad syntax).
#pragma once

#include <string>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "tests/fakes/kube/field_selector.h"
#include "tests/fakes/kube/label_selector.h"

namespace keyroll::fakes {

struct Selection {
  std::string ns;  // "" = every namespace
  LabelSelector labels;
  FieldSelector fields;
  bool Matches(const nlohmann::json& object) const;
  bool Empty() const { return labels.Empty() && fields.Empty(); }
};

Selection ParseSelection(const httplib::Request& req, const ResourceType& type, const std::string& ns);

}  // namespace keyroll::fakes
