#include "tests/support/e2e_objects.h"

#include <stdexcept>

#include "operator/base/encoding.h"
#include "tests/fakes/kube/yaml_json.h"
#include "tests/support/temp_dir.h"
#include "tests/support/wait.h"

namespace keyroll::testing {
namespace {

const kube::ResourceRef kCrds{"apiextensions.k8s.io", "v1", "customresourcedefinitions", false};
const auto& kSkr = kube::resources::kSigningKeyRotations;

template <typename T>
T Must(kube::Result<T> r, const std::string& what) {
  if (!r) throw std::runtime_error(what + ": " + r.error().ToString());
  return std::move(*r);
}

}  // namespace

std::string StrAt(const json& j, const std::string& pointer) {
  json::json_pointer p(pointer);
  if (!j.contains(p)) return "";
  const json& v = j.at(p);
  return v.is_string() ? v.get<std::string>() : "";
}

std::vector<json> YamlDocuments(const std::string& text) { return fakes::ParseYamlDocuments(text); }

void ApplyKeyrollCrd(kube::Client& client, const std::string& ns_for_probe) {
  ApplyCrd(client, "crds/keyroll.dev_signingkeyrotations.yaml", kSkr, ns_for_probe);
}

void AdmitAnySigningKeyRotation(kube::Client& client) {
  json crd = Must(client.Get(kCrds, "", "signingkeyrotations.keyroll.dev"), "get the keyroll CRD");
  crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"] = {{"type", "object"},
                                                              {"x-kubernetes-preserve-unknown-fields", true}};
  Must(client.Update(kCrds, "", crd), "update the keyroll CRD");
}

void ApplyArgoRolloutsCrd(kube::Client& client, const std::string& ns_for_probe) {
  ApplyCrd(client, "tests/e2e/testdata/argo-rollouts-crd.yaml", kube::resources::kRollouts, ns_for_probe);
}

void ApplyCrd(kube::Client& client, const std::string& path, const kube::ResourceRef& probe,
              const std::string& ns_for_probe) {
  auto docs = YamlDocuments(ReadFile(std::string(KEYROLL_SOURCE_DIR) + "/" + path));
  if (docs.empty()) throw std::runtime_error("CRD file has no document");
  auto created = client.Create(kCrds, "", docs.front());
  if (!created && !kube::IsAlreadyExists(created.error())) {
    throw std::runtime_error("create CRD: " + created.error().ToString());
  }
  std::string name = docs.front()["metadata"]["name"];
  bool ok = WaitUntil([&] {
    auto crd = client.Get(kCrds, "", name);
    if (!crd) return false;
    bool established = false;
    for (const auto& c : crd->value("/status/conditions"_json_pointer, json::array())) {
      if (c.value("type", "") == "Established" && c.value("status", "") == "True") established = true;
    }
    return established && client.List(probe, ns_for_probe).ok();
  }, std::chrono::seconds(30), std::chrono::milliseconds(100));
  if (!ok) throw std::runtime_error("CRD " + name + " not established/served in time");
}

json MakeDeployment(const std::string& name, const std::string& secret_name, SecretUse use,
                    const std::map<std::string, std::string>& labels, int replicas) {
  json pod_labels = {{"app", name}};
  json container = {{"name", "app"}, {"image", "registry.example.com/app:1"}};
  json pod_spec = {{"containers", json::array()}};
  switch (use) {
    case SecretUse::kEnvFrom:
      container["envFrom"] = {{{"secretRef", {{"name", secret_name}}}}};
      break;
    case SecretUse::kSecretKeyRef:
      container["env"] = {{{"name", "QSTASH_CURRENT_SIGNING_KEY"},
                           {"valueFrom", {{"secretKeyRef", {{"name", secret_name}, {"key", "QSTASH_CURRENT_SIGNING_KEY"}}}}}}};
      break;
    case SecretUse::kVolume:
      container["volumeMounts"] = {{{"name", "keys"}, {"mountPath", "/keys"}}};
      pod_spec["volumes"] = {{{"name", "keys"}, {"secret", {{"secretName", secret_name}}}}};
      break;
    case SecretUse::kProjectedVolume:
      container["volumeMounts"] = {{{"name", "keys"}, {"mountPath", "/keys"}}};
      pod_spec["volumes"] = {{{"name", "keys"}, {"projected", {{"sources", {{{"secret", {{"name", secret_name}}}}}}}}}};
      break;
    case SecretUse::kNone:
      break;
  }
  pod_spec["containers"].push_back(container);
  json meta_labels = json::object();
  for (const auto& [k, v] : labels) meta_labels[k] = v;
  meta_labels["app"] = name;
  return {{"apiVersion", "apps/v1"}, {"kind", "Deployment"},
          {"metadata", {{"name", name}, {"labels", meta_labels}}},
          {"spec", {{"replicas", replicas}, {"selector", {{"matchLabels", pod_labels}}},
                    {"template", {{"metadata", {{"labels", pod_labels}}}, {"spec", pod_spec}}}}}};
}

json MakeStatefulSet(const std::string& name, const std::string& secret_name, SecretUse use, int replicas,
                     const std::string& strategy, int partition) {
  json s = MakeDeployment(name, secret_name, use, {}, replicas);
  s["kind"] = "StatefulSet";
  s["spec"]["serviceName"] = name;
  s["spec"]["updateStrategy"] = {{"type", strategy}};
  if (strategy == "RollingUpdate") s["spec"]["updateStrategy"]["rollingUpdate"] = {{"partition", partition}};
  return s;
}

json MakeDaemonSet(const std::string& name, const std::string& secret_name, SecretUse use, const std::string& strategy) {
  json d = MakeDeployment(name, secret_name, use);
  d["kind"] = "DaemonSet";
  d["spec"].erase("replicas");
  d["spec"]["updateStrategy"] = {{"type", strategy}};
  return d;
}

json MakeRollout(const std::string& name, const std::string& secret_name, SecretUse use) {
  json r = MakeDeployment(name, secret_name, use);
  r["apiVersion"] = "argoproj.io/v1alpha1";
  r["kind"] = "Rollout";
  r["spec"]["strategy"] = {{"canary", {{"steps", {{{"setWeight", 50}}, {{"pause", json::object()}}}}}}};
  return r;
}

json MakeJob(const std::string& name, const std::string& secret_name, SecretUse use) {
  json d = MakeDeployment(name, secret_name, use);
  json pod = d["spec"]["template"];
  pod["spec"]["restartPolicy"] = "Never";
  pod["metadata"].erase("labels");  // a real server derives a Job's selector and labels
  return {{"apiVersion", "batch/v1"}, {"kind", "Job"}, {"metadata", {{"name", name}}}, {"spec", {{"template", pod}}}};
}

json MakeCronJob(const std::string& name, const std::string& secret_name, SecretUse use) {
  json job = MakeJob(name, secret_name, use);
  return {{"apiVersion", "batch/v1"}, {"kind", "CronJob"}, {"metadata", {{"name", name}}},
          {"spec", {{"schedule", "0 3 * * *"}, {"jobTemplate", {{"spec", job["spec"]}}}}}};
}

const kube::ResourceRef& WorkloadResource(const json& workload) {
  const std::string kind = workload.value("kind", "");
  if (kind == "Job") return kube::resources::kJobs;
  if (kind == "Rollout") return kube::resources::kRollouts;
  if (kind == "CronJob") return kube::resources::kCronJobs;
  if (kind == "StatefulSet") return kube::resources::kStatefulSets;
  if (kind == "DaemonSet") return kube::resources::kDaemonSets;
  return kube::resources::kDeployments;
}

json MakeQStashSkr(const std::string& name, const std::string& qstash_url, const std::string& secret_name,
                   const std::vector<std::string>& consumers) {
  json deployments = json::array();
  json by_kind = json::object();
  for (const auto& c : consumers) {
    auto slash = c.find('/');
    if (slash == std::string::npos) {
      deployments.push_back({{"name", c}});
      continue;
    }
    std::string kind = c.substr(0, slash);
    std::string list = kind == "StatefulSet" ? "statefulSets" : kind == "Rollout" ? "rollouts" : "daemonSets";
    by_kind[list].push_back({{"name", c.substr(slash + 1)}});
  }
  json consumer_spec = {{"deployments", deployments}, {"discover", true}};
  consumer_spec.update(by_kind);
  return {{"apiVersion", "keyroll.dev/v1alpha1"}, {"kind", "SigningKeyRotation"},
          {"metadata", {{"name", name}}},
          {"spec", {{"provider", {{"qstash", {{"url", qstash_url},
                                              {"tokenSecretRef", {{"name", "qstash"}, {"key", "QSTASH_TOKEN"}}}}}}},
                    {"target", {{"secretName", secret_name}}},
                    {"refreshInterval", "10s"},
                    {"rotation", {{"minInterval", "0s"}}},
                    {"consumers", consumer_spec}}}};
}

json CreateObject(kube::Client& c, const kube::ResourceRef& r, const std::string& ns, const json& obj) {
  return Must(c.Create(r, ns, obj), "create " + r.plural + "/" + obj["metadata"].value("name", ""));
}

json GetSkr(kube::Client& c, const std::string& ns, const std::string& name) {
  return Must(c.Get(kSkr, ns, name), "get skr/" + name);
}

json PatchSkr(kube::Client& c, const std::string& ns, const std::string& name, const json& merge_patch) {
  return Must(c.MergePatch(kSkr, ns, name, merge_patch), "patch skr/" + name);
}

void RequestRotation(kube::Client& c, const std::string& ns, const std::string& name, const std::string& request_id) {
  PatchSkr(c, ns, name, {{"spec", {{"rotation", {{"requestID", request_id}}}}}});
}

json FindCondition(const json& skr, const std::string& type) {
  for (const auto& c : skr.value("/status/conditions"_json_pointer, json::array())) {
    if (c.value("type", "") == type) return c;
  }
  return nullptr;
}

std::string ConditionSummary(const json& skr) {
  std::string out = "phase=" + StrAt(skr, "/status/phase");
  for (const auto& c : skr.value("/status/conditions"_json_pointer, json::array())) {
    out += "; " + StrAt(c, "/type") + "=" + StrAt(c, "/status") + "/" + StrAt(c, "/reason") + ": " +
           StrAt(c, "/message");
  }
  return out;
}

bool HasCondition(const json& skr, const std::string& type, const std::string& status, const std::string& reason) {
  json c = FindCondition(skr, type);
  return c.is_object() && StrAt(c, "/status") == status && (reason.empty() || StrAt(c, "/reason") == reason);
}

bool IsReadyAndSynced(const json& skr) {
  if (StrAt(skr, "/status/phase") != "Ready") return false;
  if (!HasCondition(skr, "Ready", "True")) return false;
  auto gen = skr.value("/metadata/generation"_json_pointer, int64_t{0});
  auto observed = skr.value("/status/observedGeneration"_json_pointer, gen);
  return observed >= gen;
}

json WaitForSkr(kube::Client& c, const std::string& ns, const std::string& name,
                const std::function<bool(const json&)>& pred, std::chrono::milliseconds timeout) {
  json last;
  WaitUntil([&] {
    auto r = c.Get(kSkr, ns, name);
    if (!r) return false;
    last = *r;
    return pred(last);
  }, timeout, std::chrono::milliseconds(50));
  return last;
}

std::vector<json> AllEvents(kube::Client& c, const std::string& ns) {
  return Must(c.ListAll(kube::resources::kEvents, ns), "list events").items;
}

std::vector<json> SkrEvents(kube::Client& c, const std::string& ns, const std::string& name) {
  std::vector<json> out;
  for (const auto& e : AllEvents(c, ns)) {
    const json& io = e.value("involvedObject", json::object());
    if (io.value("kind", "") == "SigningKeyRotation" && io.value("name", "") == name) out.push_back(e);
  }
  return out;
}

int CountEvents(const std::vector<json>& events, const std::string& reason) {
  int n = 0;
  for (const auto& e : events) {
    if (e.value("reason", "") == reason) n += std::max(1, e.value("count", 1));
  }
  return n;
}

std::optional<json> GetObject(kube::Client& c, const kube::ResourceRef& r, const std::string& ns,
                              const std::string& name) {
  auto got = c.Get(r, ns, name);
  if (!got) {
    if (kube::IsNotFound(got.error())) return std::nullopt;
    throw std::runtime_error("get " + r.plural + "/" + name + ": " + got.error().ToString());
  }
  return *got;
}

std::optional<std::map<std::string, std::string>> ReadSecretData(kube::Client& c, const std::string& ns,
                                                                  const std::string& name) {
  auto secret = GetObject(c, kube::resources::kSecrets, ns, name);
  if (!secret) return std::nullopt;
  std::map<std::string, std::string> out;
  const json data = secret->value("data", json::object());  // a named copy: items() does not extend lifetimes
  for (const auto& [k, v] : data.items()) {
    out[k] = v.is_string() ? base::Base64Decode(v.get<std::string>()).value_or("<invalid base64>") : "<not a string>";
  }
  return out;
}

json GetSkrTable(kube::Client& c, const std::string& ns, const std::string& name) {
  kube::HttpRequest req;
  req.path = kSkr.ObjectPath(ns, name);
  req.accept = "application/json;as=Table;v=v1;g=meta.k8s.io";
  auto res = Must(c.transport().Do(req), "get skr table");
  if (res.status != 200) throw std::runtime_error("get skr table: HTTP " + std::to_string(res.status));
  return json::parse(res.body);
}

std::map<std::string, std::string> TableRow(const json& table) {
  std::map<std::string, std::string> out;
  const auto& cols = table.value("columnDefinitions", json::array());
  const auto& rows = table.value("rows", json::array());
  if (rows.empty()) return out;
  const auto& cells = rows[0].value("cells", json::array());
  for (size_t i = 0; i < cols.size() && i < cells.size(); ++i) {
    out[cols[i].value("name", "")] = cells[i].is_string() ? cells[i].get<std::string>() : cells[i].dump();
  }
  return out;
}

}  // namespace keyroll::testing
