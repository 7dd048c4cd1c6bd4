#include "tests/fakes/kube/request_info.h"

#include <vector>

namespace keyroll::fakes {
namespace {

std::vector<std::string> Split(const std::string& path) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start < path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string::npos) slash = path.size();
    if (slash > start) parts.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return parts;
}

}  // namespace

RequestInfo ParseRequestInfo(const std::string& method, const std::string& path, bool watch) {
  RequestInfo info;
  auto parts = Split(path);
  size_t rest = 0;
  if (parts.size() >= 3 && parts[0] == "api") {
    info.version = parts[1];
    rest = 2;
  } else if (parts.size() >= 4 && parts[0] == "apis") {
    info.group = parts[1];
    info.version = parts[2];
    rest = 3;
  } else {
    return info;
  }
  std::vector<std::string> cur(parts.begin() + static_cast<long>(rest), parts.end());
  info.is_resource = true;
  if (cur[0] == "namespaces" && cur.size() > 1) {
    info.ns = cur[1];
    // namespaces/NS/status and /finalize are subresources of the namespace itself.
    if (cur.size() > 2 && cur[2] != "status" && cur[2] != "finalize") {
      cur.erase(cur.begin(), cur.begin() + 2);
    }
  }
  info.resource = cur[0];
  if (cur.size() > 1) info.name = cur[1];
  if (cur.size() > 2) info.subresource = cur[2];
  if (cur.size() > 3) info.valid = false;
  if (info.resource == "namespaces" && !info.name.empty()) info.ns = info.name;

  if (method == "GET" || method == "HEAD") {
    info.verb = info.name.empty() ? (watch ? "watch" : "list") : "get";
  } else if (method == "POST") {
    info.verb = "create";
  } else if (method == "PUT") {
    info.verb = "update";
  } else if (method == "PATCH") {
    info.verb = "patch";
  } else if (method == "DELETE") {
    info.verb = info.name.empty() ? "deletecollection" : "delete";
  } else {
    info.verb = method;
  }
  return info;
}

}  // namespace keyroll::fakes
