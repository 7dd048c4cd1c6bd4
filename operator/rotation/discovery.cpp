// discovery.cpp — see discovery.h.
#include "operator/rotation/discovery.h"

#include <algorithm>
#include <functional>

namespace keyroll::rotation {

using nlohmann::json;

namespace {

const json* Get(const json& j, const char* key) {
  if (!j.is_object()) return nullptr;
  auto it = j.find(key);
  return it == j.end() ? nullptr : &*it;
}

// Calls `found` with every Secret name the pod template reads; stops when it returns true.
using Visitor = std::function<bool(const std::string& name)>;

bool Visit(const json* obj, const char* key, const Visitor& found) {
  if (!obj) return false;
  const json* n = Get(*obj, key);
  return n && n->is_string() && found(n->get_ref<const std::string&>());
}

bool VisitContainers(const json* containers, const Visitor& found) {
  if (!containers || !containers->is_array()) return false;
  for (const auto& c : *containers) {
    if (const json* env = Get(c, "env"); env && env->is_array())
      for (const auto& e : *env)
        if (const json* from = Get(e, "valueFrom"); from && Visit(Get(*from, "secretKeyRef"), "name", found))
          return true;
    if (const json* env_from = Get(c, "envFrom"); env_from && env_from->is_array())
      for (const auto& e : *env_from)
        if (Visit(Get(e, "secretRef"), "name", found)) return true;
  }
  return false;
}

bool VisitSecretsRead(const json& deployment, const Visitor& found) {
  const json* spec = Get(deployment, "spec");
  const json* tmpl = spec ? Get(*spec, "template") : nullptr;
  const json* pod = tmpl ? Get(*tmpl, "spec") : nullptr;
  if (!pod) return false;
  for (const char* key : {"containers", "initContainers", "ephemeralContainers"})
    if (VisitContainers(Get(*pod, key), found)) return true;
  if (const json* volumes = Get(*pod, "volumes"); volumes && volumes->is_array()) {
    for (const auto& v : *volumes) {
      if (Visit(Get(v, "secret"), "secretName", found)) return true;
      const json* projected = Get(v, "projected");
      const json* sources = projected ? Get(*projected, "sources") : nullptr;
      if (sources && sources->is_array())
        for (const auto& s : *sources)
          if (Visit(Get(s, "secret"), "name", found)) return true;
    }
  }
  return false;
}

}  // namespace

bool DeploymentReadsSecret(const json& deployment, std::string_view name) {
  return VisitSecretsRead(deployment, [name](const std::string& n) { return n == name; });
}

std::vector<std::string> SecretsReadBy(const json& deployment) {
  std::vector<std::string> names;
  VisitSecretsRead(deployment, [&names](const std::string& n) {
    if (std::find(names.begin(), names.end(), n) == names.end()) names.push_back(n);
    return false;
  });
  return names;
}

}  // namespace keyroll::rotation
