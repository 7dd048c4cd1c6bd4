#include "tests/fakes/kube/discovery.h"

#include <algorithm>
#include <map>
#include <vector>

namespace keyroll::fakes {
namespace {

using json = nlohmann::json;

json Version() {
  return {{"major", "1"}, {"minor", "28"}, {"gitVersion", "v1.28.7"},
          {"gitCommit", "0000000000000000000000000000000000000000"}, {"gitTreeState", "clean"},
          {"buildDate", "2026-01-01T00:00:00Z"}, {"goVersion", "go1.21.13"}, {"compiler", "gc"},
          {"platform", "linux/amd64"}};
}

json GroupVersion(const std::string& group, const std::string& version) {
  return {{"groupVersion", group + "/" + version}, {"version", version}};
}

// Groups in registry order with their versions (preferred first).
std::map<std::string, std::vector<std::string>> Groups(const ResourceRegistry& registry) {
  std::map<std::string, std::vector<std::string>> groups;
  for (const auto& t : registry.All()) {
    if (t.group.empty()) continue;
    auto& versions = groups[t.group];
    for (const auto& v : t.versions) {
      if (std::find(versions.begin(), versions.end(), v) == versions.end()) versions.push_back(v);
    }
  }
  return groups;
}

json Group(const std::string& name, const std::vector<std::string>& versions) {
  json vs = json::array();
  for (const auto& v : versions) vs.push_back(GroupVersion(name, v));
  return {{"name", name}, {"versions", vs}, {"preferredVersion", GroupVersion(name, versions.front())}};
}

std::optional<json> ResourceList(const ResourceRegistry& registry, const std::string& group,
                                 const std::string& version) {
  json resources = json::array();
  for (const auto& t : registry.All()) {
    if (t.group != group || !t.Serves(version)) continue;
    json r = {{"name", t.plural}, {"singularName", t.singular}, {"namespaced", t.namespaced},
              {"kind", t.kind},
              {"verbs", {"create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"}}};
    if (!t.short_names.empty()) r["shortNames"] = t.short_names;
    if (!t.categories.empty()) r["categories"] = t.categories;
    resources.push_back(r);
    if (t.has_status) {
      resources.push_back({{"name", t.plural + "/status"}, {"singularName", ""},
                           {"namespaced", t.namespaced}, {"kind", t.kind},
                           {"verbs", {"get", "patch", "update"}}});
    }
  }
  if (resources.empty()) return std::nullopt;
  std::string gv = group.empty() ? version : group + "/" + version;
  json list = {{"kind", "APIResourceList"}, {"groupVersion", gv}, {"resources", resources}};
  if (!group.empty()) list["apiVersion"] = "v1";
  return list;
}

}  // namespace

std::optional<json> DiscoveryDocument(const ResourceRegistry& registry, const std::string& path,
                                      const std::string& server_address) {
  std::string p = path;
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  if (p == "/version") return Version();
  if (p == "/api") {
    return json{{"kind", "APIVersions"}, {"versions", {"v1"}},
                {"serverAddressByClientCIDRs",
                 {{{"clientCIDR", "0.0.0.0/0"}, {"serverAddress", server_address}}}}};
  }
  if (p == "/api/v1") return ResourceList(registry, "", "v1");
  if (p == "/apis") {
    json groups = json::array();
    for (const auto& [name, versions] : Groups(registry)) groups.push_back(Group(name, versions));
    return json{{"kind", "APIGroupList"}, {"apiVersion", "v1"}, {"groups", groups}};
  }
  if (p.rfind("/apis/", 0) == 0) {
    std::string rest = p.substr(6);
    size_t slash = rest.find('/');
    auto groups = Groups(registry);
    if (slash == std::string::npos) {
      auto it = groups.find(rest);
      if (it == groups.end()) return std::nullopt;
      json g = Group(rest, it->second);
      g["kind"] = "APIGroup";
      g["apiVersion"] = "v1";
      return g;
    }
    std::string group = rest.substr(0, slash), version = rest.substr(slash + 1);
    if (version.find('/') != std::string::npos) return std::nullopt;
    return ResourceList(registry, group, version);
  }
  return std::nullopt;
}

}  // namespace keyroll::fakes
