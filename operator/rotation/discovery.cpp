// discovery.cpp — see discovery.h.
#include "operator/rotation/discovery.h"

namespace keyroll::rotation {

using nlohmann::json;

namespace {

const json* Get(const json& j, const char* key) {
  if (!j.is_object()) return nullptr;
  auto it = j.find(key);
  return it == j.end() ? nullptr : &*it;
}

bool NameIs(const json* obj, const char* key, std::string_view name) {
  if (!obj) return false;
  const json* n = Get(*obj, key);
  return n && n->is_string() && n->get_ref<const std::string&>() == name;
}

bool ContainersRead(const json* containers, std::string_view name) {
  if (!containers || !containers->is_array()) return false;
  for (const auto& c : *containers) {
    if (const json* env = Get(c, "env"); env && env->is_array())
      for (const auto& e : *env)
        if (const json* from = Get(e, "valueFrom"); from && NameIs(Get(*from, "secretKeyRef"), "name", name))
          return true;
    if (const json* env_from = Get(c, "envFrom"); env_from && env_from->is_array())
      for (const auto& e : *env_from)
        if (NameIs(Get(e, "secretRef"), "name", name)) return true;
  }
  return false;
}

}  // namespace

bool DeploymentReadsSecret(const json& deployment, std::string_view name) {
  const json* spec = Get(deployment, "spec");
  const json* tmpl = spec ? Get(*spec, "template") : nullptr;
  const json* pod = tmpl ? Get(*tmpl, "spec") : nullptr;
  if (!pod) return false;
  for (const char* key : {"containers", "initContainers", "ephemeralContainers"})
    if (ContainersRead(Get(*pod, key), name)) return true;
  if (const json* volumes = Get(*pod, "volumes"); volumes && volumes->is_array()) {
    for (const auto& v : *volumes) {
      if (NameIs(Get(v, "secret"), "secretName", name)) return true;
      const json* projected = Get(v, "projected");
      const json* sources = projected ? Get(*projected, "sources") : nullptr;
      if (sources && sources->is_array())
        for (const auto& s : *sources)
          if (NameIs(Get(s, "secret"), "name", name)) return true;
    }
  }
  return false;
}

}  // namespace keyroll::rotation
