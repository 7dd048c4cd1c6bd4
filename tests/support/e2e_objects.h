// e2e_objects: building and reading the cluster objects of an end-to-end test — the CRD,
// SigningKeyRotations, consumer Deployments, the managed Secret, conditions, Events and
// the kubectl Table view — through keyroll::kube::Client. All functions throw
// std::runtime_error on an unexpected API error (a test failure, with the error text).
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "operator/kube/client.h"

namespace keyroll::testing {

using nlohmann::json;

// The string at JSON pointer `pointer` ("/status/phase"), or "" when absent, null or no string.
std::string StrAt(const json& j, const std::string& pointer);

// Applies ${KEYROLL_SOURCE_DIR}/crds/keyroll.dev_signingkeyrotations.yaml (AlreadyExists is
// fine: a real cluster may have it) and waits until it is Established and served.
void ApplyKeyrollCrd(kube::Client& client, const std::string& ns_for_probe);
// Replaces the keyroll CRD's schema with one that admits anything (fake only: it changes the
// CRD for the whole cluster), so that resources reach keyroll unvalidated, as under a CRD
// applied without its schema: tests of keyroll's own validation. Throws on failure.
void AdmitAnySigningKeyRotation(kube::Client& client);
// The same for Argo Rollouts' CRD (a stand-in: tests/e2e/testdata/argo-rollouts-crd.yaml), and
// for any CRD file of the source tree, probed with a list of `probe` in the namespace.
void ApplyArgoRolloutsCrd(kube::Client& client, const std::string& ns_for_probe);
void ApplyCrd(kube::Client& client, const std::string& path, const kube::ResourceRef& probe,
              const std::string& ns_for_probe);

// YAML text (one or more documents) as JSON objects.
std::vector<json> YamlDocuments(const std::string& text);

// How a consumer Deployment's pods read the Secret (DESIGN.md: discovery looks at all).
enum class SecretUse { kEnvFrom, kSecretKeyRef, kVolume, kProjectedVolume, kNone };

json MakeDeployment(const std::string& name, const std::string& secret_name, SecretUse use,
                    const std::map<std::string, std::string>& labels = {}, int replicas = 2);

// A StatefulSet (serviceName = its name) and a DaemonSet with the same pod template as
// MakeDeployment. `strategy` is the updateStrategy type (RollingUpdate or OnDelete); a
// StatefulSet's `partition` (RollingUpdate only) keeps pods below it on the old template.
json MakeStatefulSet(const std::string& name, const std::string& secret_name, SecretUse use, int replicas = 2,
                     const std::string& strategy = "RollingUpdate", int partition = 0);
json MakeDaemonSet(const std::string& name, const std::string& secret_name, SecretUse use,
                   const std::string& strategy = "RollingUpdate");
// An Argo Rollout (canary: setWeight 50, then a pause for promotion) with MakeDeployment's
// pod template.
json MakeRollout(const std::string& name, const std::string& secret_name, SecretUse use);
// A Job and a CronJob whose pods read the Secret (restartPolicy Never).
json MakeJob(const std::string& name, const std::string& secret_name, SecretUse use);
json MakeCronJob(const std::string& name, const std::string& secret_name, SecretUse use);
// The API resource of a workload object (its kind).
const kube::ResourceRef& WorkloadResource(const json& workload);

// A QStash SigningKeyRotation for tests: token Secret "qstash"/QSTASH_TOKEN, target Secret
// `secret_name`, refreshInterval 10s, minInterval 0s, discover true, the named consumers:
// "api" is a Deployment, "StatefulSet/worker" and "DaemonSet/edge" the other kinds.
json MakeQStashSkr(const std::string& name, const std::string& qstash_url, const std::string& secret_name,
                   const std::vector<std::string>& consumers = {});

json CreateObject(kube::Client& c, const kube::ResourceRef& r, const std::string& ns, const json& obj);
json GetSkr(kube::Client& c, const std::string& ns, const std::string& name);
json PatchSkr(kube::Client& c, const std::string& ns, const std::string& name, const json& merge_patch);
void RequestRotation(kube::Client& c, const std::string& ns, const std::string& name, const std::string& request_id);

// The condition of `type` in status.conditions, or null.
json FindCondition(const json& skr, const std::string& type);
std::string ConditionSummary(const json& skr);  // "Ready=False/InvalidSpec: msg; ..." for failures

// Polls the SKR until pred(skr) holds; returns the last object seen (check with pred again).
json WaitForSkr(kube::Client& c, const std::string& ns, const std::string& name,
                const std::function<bool(const json&)>& pred,
                std::chrono::milliseconds timeout = std::chrono::seconds(20));
bool HasCondition(const json& skr, const std::string& type, const std::string& status,
                  const std::string& reason = "");
bool IsReadyAndSynced(const json& skr);  // phase Ready, Ready=True, observedGeneration current

// Events whose involvedObject is the named SigningKeyRotation (core/v1), oldest first.
std::vector<json> SkrEvents(kube::Client& c, const std::string& ns, const std::string& name);
int CountEvents(const std::vector<json>& events, const std::string& reason);
std::vector<json> AllEvents(kube::Client& c, const std::string& ns);

// A Secret's data, base64-decoded; nullopt when it does not exist.
std::optional<std::map<std::string, std::string>> ReadSecretData(kube::Client& c, const std::string& ns,
                                                                  const std::string& name);
std::optional<json> GetObject(kube::Client& c, const kube::ResourceRef& r, const std::string& ns,
                              const std::string& name);

// GET the SKR as a meta.k8s.io/v1 Table (what `kubectl get skr` shows).
json GetSkrTable(kube::Client& c, const std::string& ns, const std::string& name);
// Column name -> cell text of the Table's first row.
std::map<std::string, std::string> TableRow(const json& table);

}  // namespace keyroll::testing
