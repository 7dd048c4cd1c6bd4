#include "tests/fakes/kube/resource_types.h"

#include <algorithm>
#include <stdexcept>

namespace keyroll::fakes {

bool ResourceType::Serves(const std::string& version) const {
  return std::find(versions.begin(), versions.end(), version) != versions.end();
}

namespace {

ResourceType Core(std::string plural, std::string singular, std::string kind, bool namespaced,
                  std::vector<std::string> short_names = {}) {
  ResourceType t;
  t.versions = {"v1"};
  t.plural = std::move(plural);
  t.singular = std::move(singular);
  t.kind = std::move(kind);
  t.namespaced = namespaced;
  t.short_names = std::move(short_names);
  return t;
}

ResourceType Grouped(std::string group, std::string version, ResourceType t) {
  t.group = std::move(group);
  t.versions = {std::move(version)};
  return t;
}

}  // namespace

std::vector<ResourceType> BuiltInResourceTypes() {
  std::vector<ResourceType> types;
  types.push_back(Core("namespaces", "namespace", "Namespace", false, {"ns"}));
  types.push_back(Core("secrets", "secret", "Secret", true));
  types.push_back(Core("configmaps", "configmap", "ConfigMap", true, {"cm"}));
  types.push_back(Core("events", "event", "Event", true, {"ev"}));
  types.push_back(Core("serviceaccounts", "serviceaccount", "ServiceAccount", true, {"sa"}));
  ResourceType services = Core("services", "service", "Service", true, {"svc"});
  services.has_status = true;
  services.categories = {"all"};
  types.push_back(services);
  ResourceType pods = Core("pods", "pod", "Pod", true, {"po"});
  pods.has_status = true;
  pods.categories = {"all"};
  types.push_back(pods);

  ResourceType deployments = Grouped("apps", "v1", Core("deployments", "deployment",
                                                        "Deployment", true, {"deploy"}));
  deployments.has_status = true;
  deployments.has_generation = true;
  deployments.categories = {"all"};
  types.push_back(deployments);
  // The other workload kinds, as a real server serves them (apps/v1, batch/v1).
  auto workload = [&](std::string group, ResourceType t) {
    t = Grouped(std::move(group), "v1", std::move(t));
    t.has_status = true;
    t.has_generation = true;
    t.categories = {"all"};
    types.push_back(t);
  };
  workload("apps", Core("statefulsets", "statefulset", "StatefulSet", true, {"sts"}));
  workload("apps", Core("daemonsets", "daemonset", "DaemonSet", true, {"ds"}));
  workload("batch", Core("jobs", "job", "Job", true));
  workload("batch", Core("cronjobs", "cronjob", "CronJob", true, {"cj"}));
  types.push_back(Grouped("coordination.k8s.io", "v1", Core("leases", "lease", "Lease", true)));
  types.push_back(Grouped("events.k8s.io", "v1", Core("events", "event", "Event", true, {"ev"})));
  ResourceType crds = Grouped("apiextensions.k8s.io", "v1",
                              Core("customresourcedefinitions", "customresourcedefinition",
                                   "CustomResourceDefinition", false, {"crd", "crds"}));
  crds.has_status = true;
  crds.has_generation = true;
  types.push_back(crds);
  return types;
}

ResourceType ResourceTypeFromCrd(const nlohmann::json& crd) {
  const auto& spec = crd.value("spec", nlohmann::json::object());
  const auto& names = spec.value("names", nlohmann::json::object());
  ResourceType t;
  t.custom = true;
  t.has_generation = true;
  t.group = spec.value("group", "");
  t.plural = names.value("plural", "");
  t.kind = names.value("kind", "");
  t.singular = names.value("singular", "");
  if (t.singular.empty()) {
    t.singular = t.kind;
    std::transform(t.singular.begin(), t.singular.end(), t.singular.begin(), ::tolower);
  }
  t.namespaced = spec.value("scope", "Namespaced") != "Cluster";
  if (names.contains("shortNames")) t.short_names = names["shortNames"].get<std::vector<std::string>>();
  if (names.contains("categories")) t.categories = names["categories"].get<std::vector<std::string>>();
  if (t.group.empty() || t.plural.empty() || t.kind.empty()) {
    throw std::invalid_argument("CRD needs spec.group, spec.names.plural and spec.names.kind");
  }
  // Served versions, storage version first (it is the preferred one for discovery).
  for (const auto& v : spec.value("versions", nlohmann::json::array())) {
    if (!v.value("served", true)) continue;
    std::string name = v.value("name", "");
    if (name.empty()) continue;
    if (v.contains("schema") && v["schema"].contains("openAPIV3Schema")) {
      t.schemas[name] = std::make_shared<const CrdSchema>(v["schema"]["openAPIV3Schema"]);
    }
    if (v.value("storage", false)) {
      t.versions.insert(t.versions.begin(), name);
      auto sub = v.value("subresources", nlohmann::json::object());
      t.has_status = sub.contains("status");
      for (const auto& c : v.value("additionalPrinterColumns", nlohmann::json::array())) {
        PrinterColumn col;
        col.name = c.value("name", "");
        col.type = c.value("type", "string");
        col.format = c.value("format", "");
        col.description = c.value("description", "");
        col.json_path = c.value("jsonPath", "");
        col.priority = c.value("priority", 0);
        t.columns.push_back(col);
      }
    } else {
      t.versions.push_back(name);
    }
  }
  if (t.versions.empty()) throw std::invalid_argument("CRD serves no version");
  return t;
}

ResourceRegistry::ResourceRegistry() {
  for (auto& t : BuiltInResourceTypes()) by_key_[t.StorageKey()] = t;
}

std::optional<ResourceType> ResourceRegistry::Find(const std::string& group,
                                                   const std::string& version,
                                                   const std::string& plural) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = by_key_.find(group + "/" + plural);
  if (it == by_key_.end() || !it->second.Serves(version)) return std::nullopt;
  return it->second;
}

std::optional<ResourceType> ResourceRegistry::FindByStorageKey(const std::string& key) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = by_key_.find(key);
  if (it == by_key_.end()) return std::nullopt;
  return it->second;
}

std::vector<ResourceType> ResourceRegistry::All() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<ResourceType> out;
  for (const auto& [key, t] : by_key_) out.push_back(t);
  return out;
}

void ResourceRegistry::AddOrReplace(const ResourceType& type) {
  std::lock_guard<std::mutex> lock(mu_);
  by_key_[type.StorageKey()] = type;
}

void ResourceRegistry::Remove(const std::string& group, const std::string& plural) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = by_key_.find(group + "/" + plural);
  if (it != by_key_.end() && it->second.custom) by_key_.erase(it);
}

}  // namespace keyroll::fakes
