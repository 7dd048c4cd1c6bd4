// resource: which API resource a request is about (group/version/plural, namespaced or
// not) and how its URLs and query strings are spelled (/api/v1 for core, /apis/g/v else).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace keyroll::kube {

struct ResourceRef {
  std::string group;  // "" for the core group
  std::string version;
  std::string plural;
  bool namespaced = true;

  std::string ApiVersion() const { return group.empty() ? version : group + "/" + version; }
  // /api/v1 or /apis/<group>/<version>
  std::string GroupVersionPath() const;
  // The collection: .../namespaces/<ns>/<plural>, or all namespaces when ns is empty
  // (and always for cluster-scoped resources).
  std::string CollectionPath(const std::string& ns) const;
  // One object, optionally a subresource such as "status".
  std::string ObjectPath(const std::string& ns, const std::string& name,
                         const std::string& subresource = "") const;
};

// Well-known resources keyroll uses.
namespace resources {
inline const ResourceRef kSecrets{"", "v1", "secrets", true};
inline const ResourceRef kConfigMaps{"", "v1", "configmaps", true};
inline const ResourceRef kEvents{"", "v1", "events", true};
inline const ResourceRef kNamespaces{"", "v1", "namespaces", false};
inline const ResourceRef kPods{"", "v1", "pods", true};  // listed only to name OnDelete pods
inline const ResourceRef kDeployments{"apps", "v1", "deployments", true};
inline const ResourceRef kStatefulSets{"apps", "v1", "statefulsets", true};
inline const ResourceRef kDaemonSets{"apps", "v1", "daemonsets", true};
inline const ResourceRef kJobs{"batch", "v1", "jobs", true};
inline const ResourceRef kCronJobs{"batch", "v1", "cronjobs", true};
inline const ResourceRef kRollouts{"argoproj.io", "v1alpha1", "rollouts", true};  // Argo Rollouts, when installed
inline const ResourceRef kLeases{"coordination.k8s.io", "v1", "leases", true};
inline const ResourceRef kSigningKeyRotations{"keyroll.dev", "v1alpha1", "signingkeyrotations", true};
}  // namespace resources

struct ListOptions {
  std::string label_selector;
  std::string field_selector;
  int limit = 0;  // 0: no limit
  std::string continue_token;
  std::string resource_version;
  std::string resource_version_match;  // "", NotOlderThan, Exact
};

struct WatchOptions {
  std::string label_selector;
  std::string field_selector;
  std::string resource_version;
  bool allow_bookmarks = true;
  int timeout_seconds = 0;  // 0: the server's default
};

struct DeleteOptions {
  std::string precondition_uid;
  std::string precondition_resource_version;
  std::string propagation_policy;  // "", Foreground, Background, Orphan
  std::optional<int> grace_period_seconds;
};

// Percent-encodes a query value (RFC 3986 unreserved characters stay).
std::string UrlEncode(const std::string& value);
// "?a=1&b=2" from the non-empty pairs ("" when none).
std::string QueryString(const std::vector<std::pair<std::string, std::string>>& params);
std::string ListQuery(const ListOptions& options);
std::string WatchQuery(const WatchOptions& options);
// The DeleteOptions body (kind DeleteOptions, apiVersion v1).
std::string DeleteBody(const DeleteOptions& options);

}  // namespace keyroll::kube
