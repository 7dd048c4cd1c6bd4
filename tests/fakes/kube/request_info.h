// request_info: splits an API path the way kube-apiserver's RequestInfoFactory does:
// /api/v1[/namespaces/NS]/RESOURCE[/NAME[/SUBRESOURCE]] and the same under /apis/GROUP/VERSION,
// and derives the verb (get, list, watch, create, update, patch, delete, deletecollection).
#pragma once

#include <string>

namespace keyroll::fakes {

struct RequestInfo {
  bool is_resource = false;  // false: discovery and other non-resource paths
  bool valid = true;         // false: too many path segments
  std::string group, version, ns, resource, name, subresource;
  std::string verb;
};

RequestInfo ParseRequestInfo(const std::string& method, const std::string& path, bool watch);

}  // namespace keyroll::fakes
