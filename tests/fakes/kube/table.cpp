#include "tests/fakes/kube/table.h"

#include <chrono>
#include <ctime>
#include <functional>

#include "tests/fakes/kube/json_path.h"

namespace keyroll::fakes {
namespace {

using json = nlohmann::json;

struct Column {
  json definition;
  std::function<json(const json&)> cell;
};

json Definition(const std::string& name, const std::string& type, const std::string& format,
                const std::string& description, int priority = 0) {
  return {{"name", name}, {"type", type}, {"format", format}, {"description", description},
          {"priority", priority}};
}

long long AgeSeconds(const std::string& rfc3339) {
  std::tm tm{};
  if (!strptime(rfc3339.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm)) return 0;
  long long then = timegm(&tm);
  long long now = std::chrono::duration_cast<std::chrono::seconds>(
                      std::chrono::system_clock::now().time_since_epoch()).count();
  return now > then ? now - then : 0;
}

json Age(const json& o) {
  return HumanDuration(AgeSeconds(o["metadata"].value("creationTimestamp", "")));
}

json Path(const json& o, const std::string& path, const std::string& type) {
  auto values = EvalJsonPath(o, path);
  if (values.empty()) return nullptr;
  if (values.size() == 1) {
    const json& v = values[0];
    if (type == "date" && v.is_string()) return HumanDuration(AgeSeconds(v.get<std::string>()));
    if (type == "string") return v.is_string() ? v.get<std::string>() : v.dump();
    return v;
  }
  std::string joined;
  for (const auto& v : values) joined += (joined.empty() ? "" : ",") + (v.is_string() ? v.get<std::string>() : v.dump());
  return joined;
}

int Count(const json& o, const char* key) {
  return o.contains(key) && o[key].is_object() ? static_cast<int>(o[key].size()) : 0;
}

std::vector<Column> Columns(const ResourceType& type) {
  std::vector<Column> cols;
  cols.push_back({Definition("Name", "string", "name",
                             "Name must be unique within a namespace. Is required when creating "
                             "resources, although some resources may allow a client to request "
                             "the generation of an appropriate name automatically. Name is "
                             "primarily intended for creation idempotence and configuration "
                             "definition. Cannot be updated. More info: "
                             "https://kubernetes.io/docs/concepts/overview/working-with-objects/"
                             "names#names"),
                  [](const json& o) { return o["metadata"].value("name", ""); }});
  auto age = Column{Definition("Age", "string", "",
                               "CreationTimestamp is a timestamp representing the server time "
                               "when this object was created."),
                    Age};
  if (type.custom) {
    for (const auto& c : type.columns) {
      cols.push_back({Definition(c.name, c.type, c.format, c.description, c.priority),
                      [c](const json& o) { return Path(o, c.json_path, c.type); }});
    }
    if (type.columns.empty()) cols.push_back(age);
    return cols;
  }
  if (type.group.empty() && type.plural == "secrets") {
    cols.push_back({Definition("Type", "string", "", "The type of the secret"),
                    [](const json& o) { return o.value("type", ""); }});
    cols.push_back({Definition("Data", "string", "", "The number of entries in the data"),
                    [](const json& o) { return Count(o, "data"); }});
  } else if (type.group.empty() && type.plural == "configmaps") {
    cols.push_back({Definition("Data", "string", "", "The number of entries in the data"),
                    [](const json& o) { return Count(o, "data") + Count(o, "binaryData"); }});
  } else if (type.group.empty() && type.plural == "namespaces") {
    cols.push_back({Definition("Status", "string", "", "The status of the namespace"),
                    [](const json& o) { return o.value("/status/phase"_json_pointer, ""); }});
  } else if (type.group == "apps" && type.plural == "deployments") {
    auto num = [](const json& o, const char* key) {
      return o.contains("status") ? o["status"].value(key, 0) : 0;
    };
    cols.push_back({Definition("Ready", "string", "", "Number of the pod with ready state"),
                    [num](const json& o) {
                      int want = o.contains("spec") ? o["spec"].value("replicas", 1) : 1;
                      return std::to_string(num(o, "readyReplicas")) + "/" + std::to_string(want);
                    }});
    cols.push_back({Definition("Up-to-date", "string", "", "Total number of non-terminated pods targeted by this deployment that have the desired template spec."),
                    [num](const json& o) { return num(o, "updatedReplicas"); }});
    cols.push_back({Definition("Available", "string", "", "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment."),
                    [num](const json& o) { return num(o, "availableReplicas"); }});
  }
  cols.push_back(age);
  return cols;
}

}  // namespace

bool WantsTable(const std::string& accept) {
  // The first acceptable media type decides; kubectl lists Table first.
  std::string first = accept.substr(0, accept.find(','));
  return first.find("as=Table") != std::string::npos;
}

std::string HumanDuration(long long s) {
  auto str = [](long long v) { return std::to_string(v); };
  if (s < 120) return str(s) + "s";
  long long m = s / 60, h = s / 3600, d = s / 86400;
  if (m < 10) return str(m) + "m" + (s % 60 ? str(s % 60) + "s" : "");
  if (m < 180) return str(m) + "m";
  if (h < 8) return str(h) + "h" + (m % 60 ? str(m % 60) + "m" : "");
  if (h < 48) return str(h) + "h";
  if (h < 192) return str(d) + "d" + (h % 24 ? str(h % 24) + "h" : "");
  if (d < 365 * 2) return str(d) + "d";
  return str(d / 365) + "y";
}

json BuildTable(const ResourceType& type, const std::vector<json>& objects,
                const TableOptions& options) {
  auto columns = Columns(type);
  json table = {{"kind", "Table"}, {"apiVersion", "meta.k8s.io/v1"},
                {"metadata", {{"resourceVersion", options.resource_version}}}};
  if (!options.continue_token.empty()) table["metadata"]["continue"] = options.continue_token;
  json defs = json::array();
  for (const auto& c : columns) defs.push_back(c.definition);
  table["columnDefinitions"] = defs;
  json rows = json::array();
  for (const auto& o : objects) {
    json cells = json::array();
    for (const auto& c : columns) cells.push_back(c.cell(o));
    json row = {{"cells", cells}};
    if (options.include_object == "Object") {
      row["object"] = o;
    } else if (options.include_object != "None") {
      row["object"] = {{"kind", "PartialObjectMetadata"}, {"apiVersion", "meta.k8s.io/v1"},
                       {"metadata", o["metadata"]}};
    }
    rows.push_back(row);
  }
  table["rows"] = rows;
  return table;
}

}  // namespace keyroll::fakes
