// table: answers `Accept: application/json;as=Table;v=v1;g=meta.k8s.io` (what kubectl get
// asks for) with a meta.k8s.io/v1 Table: Name plus a CRD's additionalPrinterColumns, or a
// small default set for built-in kinds (secrets: Type, Data; deployments: Ready, ...), Age.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/fakes/kube/resource_types.h"

namespace keyroll::fakes {

bool WantsTable(const std::string& accept_header);

struct TableOptions {
  std::string resource_version;
  std::string continue_token;
  std::string include_object = "Metadata";  // includeObject: None | Metadata | Object
};

nlohmann::json BuildTable(const ResourceType& type, const std::vector<nlohmann::json>& objects,
                          const TableOptions& options);

// Kubernetes' short human form of an age: 45s, 3m10s, 25m, 5h3m, 20h, 3d4h, 12d, 2y.
std::string HumanDuration(long long seconds);

}  // namespace keyroll::fakes
