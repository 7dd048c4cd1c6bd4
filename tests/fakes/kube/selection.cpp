#include "tests/fakes/kube/selection.h"

#include <map>

#include "tests/fakes/kube/api_error.h"

namespace keyroll::fakes {

bool Selection::Matches(const nlohmann::json& object) const {
  const auto& meta = object["metadata"];
  if (!ns.empty() && meta.value("namespace", "") != ns) return false;
  std::map<std::string, std::string> labels_map;
  if (meta.contains("labels") && meta["labels"].is_object()) {
    for (const auto& [k, v] : meta["labels"].items()) {
      if (v.is_string()) labels_map[k] = v.get<std::string>();
    }
  }
  return labels.Matches(labels_map) && fields.Matches(object);
}

Selection ParseSelection(const httplib::Request& req, const ResourceType& type, const std::string& ns) {
  Selection s;
  s.ns = ns;
  try {
    if (req.has_param("labelSelector")) s.labels = LabelSelector::Parse(req.get_param_value("labelSelector"));
    if (req.has_param("fieldSelector")) {
      s.fields = FieldSelector::Parse(req.get_param_value("fieldSelector"), type);
    }
  } catch (const std::invalid_argument& e) {
    throw BadRequest(e.what());
  }
  return s;
}

}  // namespace keyroll::fakes
