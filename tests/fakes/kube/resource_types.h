// resource_types: what the fake knows about each resource (group, versions, plural, kind,
// scope, status subresource, printer columns): the built-in kinds plus every
// CustomResourceDefinition created through the API. Thread-safe.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/fakes/kube/crd_schema.h"

namespace keyroll::fakes {

struct PrinterColumn {
  std::string name;
  std::string type;  // string, integer, number, boolean, date
  std::string format;
  std::string description;
  std::string json_path;  // .status.phase
  int priority = 0;
};

struct ResourceType {
  std::string group;                  // "" for core
  std::vector<std::string> versions;  // served versions; the first is preferred
  std::string plural, singular, kind;
  bool namespaced = true;
  bool has_status = false;      // a /status subresource exists
  bool has_generation = false;  // metadata.generation is maintained
  bool custom = false;          // defined by a CRD (served as unstructured)
  std::vector<std::string> short_names, categories;
  std::vector<PrinterColumn> columns;  // for CRDs: additionalPrinterColumns
  // For CRDs: each served version's openAPIV3Schema (absent: nothing pruned or checked).
  std::map<std::string, std::shared_ptr<const CrdSchema>> schemas;

  // The schema for objects written at `version`, or null.
  const CrdSchema* SchemaFor(const std::string& version) const {
    auto it = schemas.find(version);
    return it == schemas.end() ? nullptr : it->second.get();
  }

  std::string ListKind() const { return kind + "List"; }
  std::string ApiVersion(const std::string& version) const {
    return group.empty() ? version : group + "/" + version;
  }
  std::string StorageKey() const { return group + "/" + plural; }
  bool Serves(const std::string& version) const;
};

std::vector<ResourceType> BuiltInResourceTypes();

// Reads a CRD object into a ResourceType; throws std::invalid_argument when it lacks names.
ResourceType ResourceTypeFromCrd(const nlohmann::json& crd);

class ResourceRegistry {
 public:
  ResourceRegistry();
  std::optional<ResourceType> Find(const std::string& group, const std::string& version,
                                   const std::string& plural) const;
  std::optional<ResourceType> FindByStorageKey(const std::string& key) const;
  // All types (for discovery), ordered by group then plural.
  std::vector<ResourceType> All() const;
  void AddOrReplace(const ResourceType& type);
  void Remove(const std::string& group, const std::string& plural);

 private:
  mutable std::mutex mu_;
  std::map<std::string, ResourceType> by_key_;  // StorageKey()
};

}  // namespace keyroll::fakes
