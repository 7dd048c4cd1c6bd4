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

bool VisitSecretsRead(const json& workload, const Visitor& found) {
  const json* spec = Get(workload, "spec");
  // A CronJob keeps its pod template in spec.jobTemplate.spec.template.
  const json* job_template = spec ? Get(*spec, "jobTemplate") : nullptr;
  if (const json* job_spec = job_template ? Get(*job_template, "spec") : nullptr) spec = job_spec;
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

bool WorkloadReadsSecret(const json& workload, std::string_view name) {
  return VisitSecretsRead(workload, [name](const std::string& n) { return n == name; });
}

std::vector<std::string> SecretsReadBy(const json& workload) {
  std::vector<std::string> names;
  VisitSecretsRead(workload, [&names](const std::string& n) {
    if (std::find(names.begin(), names.end(), n) == names.end()) names.push_back(n);
    return false;
  });
  return names;
}

}  // namespace keyroll::rotation
