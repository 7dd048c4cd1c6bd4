#include "operator/kube/resource.h"

#include <cctype>

#include <nlohmann/json.hpp>

namespace keyroll::kube {

std::string ResourceRef::GroupVersionPath() const {
  return group.empty() ? "/api/" + version : "/apis/" + group + "/" + version;
}

std::string ResourceRef::CollectionPath(const std::string& ns) const {
  if (!namespaced || ns.empty()) return GroupVersionPath() + "/" + plural;
  return GroupVersionPath() + "/namespaces/" + UrlEncode(ns) + "/" + plural;
}

std::string ResourceRef::ObjectPath(const std::string& ns, const std::string& name,
                                    const std::string& subresource) const {
  std::string p = CollectionPath(namespaced ? ns : "") + "/" + UrlEncode(name);
  if (!subresource.empty()) p += "/" + subresource;
  return p;
}

std::string UrlEncode(const std::string& value) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : value) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

std::string QueryString(const std::vector<std::pair<std::string, std::string>>& params) {
  std::string q;
  for (const auto& [k, v] : params) {
    if (v.empty()) continue;
    q += (q.empty() ? "?" : "&") + k + "=" + UrlEncode(v);
  }
  return q;
}

std::string ListQuery(const ListOptions& o) {
  return QueryString({{"labelSelector", o.label_selector},
                      {"fieldSelector", o.field_selector},
                      {"limit", o.limit > 0 ? std::to_string(o.limit) : ""},
                      {"continue", o.continue_token},
                      {"resourceVersion", o.resource_version},
                      {"resourceVersionMatch", o.resource_version_match}});
}

std::string WatchQuery(const WatchOptions& o) {
  return QueryString({{"watch", "1"},
                      {"labelSelector", o.label_selector},
                      {"fieldSelector", o.field_selector},
                      {"resourceVersion", o.resource_version},
                      {"allowWatchBookmarks", o.allow_bookmarks ? "true" : ""},
                      {"timeoutSeconds", o.timeout_seconds > 0 ? std::to_string(o.timeout_seconds) : ""}});
}

std::string DeleteBody(const DeleteOptions& o) {
  nlohmann::json j = {{"kind", "DeleteOptions"}, {"apiVersion", "v1"}};
  if (!o.precondition_uid.empty()) j["preconditions"]["uid"] = o.precondition_uid;
  if (!o.precondition_resource_version.empty()) {
    j["preconditions"]["resourceVersion"] = o.precondition_resource_version;
  }
  if (!o.propagation_policy.empty()) j["propagationPolicy"] = o.propagation_policy;
  if (o.grace_period_seconds) j["gracePeriodSeconds"] = *o.grace_period_seconds;
  return j.dump();
}

}  // namespace keyroll::kube
