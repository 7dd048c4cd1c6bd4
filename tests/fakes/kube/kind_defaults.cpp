#include "tests/fakes/kube/kind_defaults.h"

#include "operator/base/encoding.h"
#include "tests/fakes/kube/api_error.h"

namespace keyroll::fakes {
namespace {

const char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

bool IsCore(const ResourceType& t, const char* plural) {
  return t.group.empty() && !t.custom && t.plural == plural;
}

void SetIfMissing(json& object, const char* key, const json& value) {
  if (!object.contains(key)) object[key] = value;
}

void SecretDefaults(json& s) {
  SetIfMissing(s, "type", "Opaque");
  if (s.contains("data") && s["data"].is_null()) s.erase("data");
  if (s.contains("data")) {
    if (!s["data"].is_object()) throw BadRequest("Secret in version \"v1\" cannot be handled as a Secret: data must be a map");
    for (auto& [key, value] : s["data"].items()) {
      size_t bad = 0;
      if (!value.is_string() || !IsBase64(value.get<std::string>(), &bad)) {
        throw BadRequest("Secret in version \"v1\" cannot be handled as a Secret: illegal base64 "
                         "data at input byte " + std::to_string(bad));
      }
    }
  }
  if (s.contains("stringData")) {
    if (s["stringData"].is_object()) {
      for (auto& [key, value] : s["stringData"].items()) {
        if (value.is_string()) s["data"][key] = base::Base64Encode(value.get<std::string>());
      }
    }
    s.erase("stringData");  // write-only: never stored nor returned
  }
}

void NamespaceDefaults(json& ns) {
  std::string name = ns["metadata"].value("name", "");
  ns["metadata"]["labels"]["kubernetes.io/metadata.name"] = name;
  SetIfMissing(ns, "spec", {{"finalizers", {"kubernetes"}}});
  ns["status"] = {{"phase", "Active"}};
}

void DeploymentDefaults(json& d) {
  json& spec = d["spec"];
  if (!spec.is_object()) spec = json::object();
  SetIfMissing(spec, "replicas", 1);
  SetIfMissing(spec, "strategy",
               {{"type", "RollingUpdate"},
                {"rollingUpdate", {{"maxUnavailable", "25%"}, {"maxSurge", "25%"}}}});
  SetIfMissing(spec, "revisionHistoryLimit", 10);
  SetIfMissing(spec, "progressDeadlineSeconds", 600);
}

// spec.updateStrategy of a StatefulSet or DaemonSet: type RollingUpdate unless set, and then
// rollingUpdate's fields from `rolling_update` where missing (OnDelete gets none).
void UpdateStrategyDefaults(json& spec, const json& rolling_update) {
  SetIfMissing(spec, "updateStrategy", json::object());
  json& strategy = spec["updateStrategy"];
  if (!strategy.is_object()) return;
  SetIfMissing(strategy, "type", "RollingUpdate");
  if (strategy["type"] != "RollingUpdate") return;
  SetIfMissing(strategy, "rollingUpdate", json::object());
  if (!strategy["rollingUpdate"].is_object()) return;
  for (const auto& [key, value] : rolling_update.items()) SetIfMissing(strategy["rollingUpdate"], key.c_str(), value);
}

// As 201-create-statefulset.txt: the defaults and the status a real server gives a new one.
void StatefulSetDefaults(json& s, bool creating) {
  json& spec = s["spec"];
  if (!spec.is_object()) spec = json::object();
  SetIfMissing(spec, "replicas", 1);
  SetIfMissing(spec, "podManagementPolicy", "OrderedReady");
  UpdateStrategyDefaults(spec, {{"partition", 0}});
  SetIfMissing(spec, "revisionHistoryLimit", 10);
  SetIfMissing(spec, "persistentVolumeClaimRetentionPolicy", {{"whenDeleted", "Retain"}, {"whenScaled", "Retain"}});
  if (creating) s["status"] = {{"replicas", 0}, {"availableReplicas", 0}};
}

// As 201-create-daemonset.txt; the template-generation annotation follows template changes.
void DaemonSetDefaults(json& d, const json* current) {
  json& spec = d["spec"];
  if (!spec.is_object()) spec = json::object();
  UpdateStrategyDefaults(spec, {{"maxUnavailable", 1}, {"maxSurge", 0}});
  SetIfMissing(spec, "revisionHistoryLimit", 10);
  const char* kTemplateGeneration = "deprecated.daemonset.template.generation";
  json& annotations = d["metadata"]["annotations"];
  if (!current) {
    annotations[kTemplateGeneration] = "1";
    d["status"] = {{"currentNumberScheduled", 0}, {"numberMisscheduled", 0}, {"desiredNumberScheduled", 0},
                   {"numberReady", 0}};
    return;
  }
  const json& cur_meta = (*current)["metadata"];
  const json old_template = current->value("/spec/template"_json_pointer, json());
  std::string kept = cur_meta.value("/annotations/deprecated.daemonset.template.generation"_json_pointer, "1");
  if (spec.value("template", json()) != old_template)
    kept = std::to_string(cur_meta.value("generation", int64_t{1}) + 1);
  annotations[kTemplateGeneration] = kept;
}

// As 201-create-job.txt: the selector and labels a real server derives from the uid.
void JobDefaults(json& j, bool creating) {
  json& spec = j["spec"];
  if (!spec.is_object()) spec = json::object();
  SetIfMissing(spec, "parallelism", 1);
  SetIfMissing(spec, "completions", 1);
  SetIfMissing(spec, "backoffLimit", 6);
  SetIfMissing(spec, "completionMode", "NonIndexed");
  SetIfMissing(spec, "suspend", false);
  if (!creating) return;
  const std::string uid = j["metadata"].value("uid", "");
  const std::string name = j["metadata"].value("name", "");
  json labels = {{"batch.kubernetes.io/controller-uid", uid}, {"batch.kubernetes.io/job-name", name},
                 {"controller-uid", uid}, {"job-name", name}};
  SetIfMissing(spec, "selector", {{"matchLabels", {{"batch.kubernetes.io/controller-uid", uid}}}});
  for (auto& [k, v] : labels.items()) spec["template"]["metadata"]["labels"][k] = v;
  // A Job without labels of its own gets its pod template's.
  json& meta_labels = j["metadata"]["labels"];
  if (!meta_labels.is_object() || meta_labels.empty()) meta_labels = spec["template"]["metadata"]["labels"];
  j["status"] = json::object();
}

// As 201-create-cronjob.txt.
void CronJobDefaults(json& c, bool creating) {
  json& spec = c["spec"];
  if (!spec.is_object()) spec = json::object();
  SetIfMissing(spec, "concurrencyPolicy", "Allow");
  SetIfMissing(spec, "suspend", false);
  SetIfMissing(spec, "successfulJobsHistoryLimit", 3);
  SetIfMissing(spec, "failedJobsHistoryLimit", 1);
  if (spec.contains("jobTemplate") && spec["jobTemplate"].is_object())
    SetIfMissing(spec["jobTemplate"], "metadata", {{"creationTimestamp", nullptr}});
  if (creating) c["status"] = json::object();
}

void EventDefaults(json& e) {
  SetIfMissing(e, "eventTime", nullptr);
  SetIfMissing(e, "reportingComponent", "");
  SetIfMissing(e, "reportingInstance", "");
}

void CrdStatus(json& crd) {
  json spec = crd.value("spec", json::object());
  json names = spec.value("names", json::object());
  std::string name = crd["metadata"].value("name", "");
  std::string expected = names.value("plural", "") + "." + spec.value("group", "");
  if (name != expected) {
    throw ApiError(422, FailureStatus(422, "Invalid",
        "CustomResourceDefinition.apiextensions.k8s.io \"" + name + "\" is invalid: metadata.name: "
        "Invalid value: \"" + name + "\": must be spec.names.plural+\".\"+spec.group",
        {{"name", name}, {"group", "apiextensions.k8s.io"}, {"kind", "CustomResourceDefinition"},
         {"causes", json::array({{{"reason", "FieldValueInvalid"},
                                  {"message", "Invalid value: \"" + name + "\": must be spec.names.plural+\".\"+spec.group"},
                                  {"field", "metadata.name"}}})}}));
  }
  json stored = json::array();
  for (const auto& v : spec.value("versions", json::array())) {
    if (v.value("storage", false)) stored.push_back(v.value("name", ""));
  }
  if (!names.contains("singular") && names.contains("kind")) {
    std::string s = names["kind"];
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    names["singular"] = s;
  }
  if (!names.contains("listKind") && names.contains("kind")) {
    names["listKind"] = names["kind"].get<std::string>() + "List";
  }
  std::string now = crd["metadata"].value("creationTimestamp", "");
  crd["status"] = {
      {"acceptedNames", names},
      {"storedVersions", stored},
      {"conditions",
       json::array({{{"type", "NamesAccepted"}, {"status", "True"}, {"reason", "NoConflicts"},
                     {"message", "no conflicts found"}, {"lastTransitionTime", now}},
                    {{"type", "Established"}, {"status", "True"}, {"reason", "InitialNamesAccepted"},
                     {"message", "the initial names have been accepted"},
                     {"lastTransitionTime", now}}})}};
}

}  // namespace

bool IsBase64(const std::string& text, size_t* bad_byte) {
  size_t padding = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    bool alpha = std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/';
    if (c == '=' && i + 2 >= text.size()) {
      ++padding;
    } else if (!alpha || padding > 0) {
      *bad_byte = i;
      return false;
    }
  }
  if (text.size() % 4 != 0) {
    *bad_byte = text.size() - text.size() % 4;
    return false;
  }
  return true;
}

void ApplyKindDefaults(const ResourceType& type, json& object, const json* current) {
  if (IsCore(type, "secrets")) SecretDefaults(object);
  else if (IsCore(type, "namespaces")) NamespaceDefaults(object);
  else if (IsCore(type, "events")) EventDefaults(object);
  else if (type.group == "apps" && type.plural == "deployments") DeploymentDefaults(object);
  else if (type.group == "apps" && type.plural == "statefulsets") StatefulSetDefaults(object, !current);
  else if (type.group == "apps" && type.plural == "daemonsets") DaemonSetDefaults(object, current);
  else if (type.group == "batch" && type.plural == "jobs") JobDefaults(object, !current);
  else if (type.group == "batch" && type.plural == "cronjobs") CronJobDefaults(object, !current);
  else if (type.group == "apiextensions.k8s.io" && type.plural == "customresourcedefinitions") {
    CrdStatus(object);
  }
}

}  // namespace keyroll::fakes
