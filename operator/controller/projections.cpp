// projections.cpp — see projections.h.
#include "operator/controller/projections.h"

#include <cstdlib>

#include "operator/base/encoding.h"
#include "operator/base/fingerprint.h"
#include "operator/rotation/vocabulary.h"

namespace keyroll::controller {

using nlohmann::json;
namespace vocab = rotation::vocab;

namespace {

const json* Field(const json& j, const char* key) {
  if (!j.is_object()) return nullptr;
  auto it = j.find(key);
  return it == j.end() || it->is_null() ? nullptr : &*it;
}

// A string field, "" when absent or not a string (never throws on odd input).
std::string Str(const json& j, const char* key) {
  const json* v = Field(j, key);
  return v && v->is_string() ? v->get<std::string>() : std::string();
}

void Copy(const json& from, json& to, const char* key) {
  if (const json* v = Field(from, key)) to[key] = *v;
}

json CopyFields(const json& from, std::initializer_list<const char*> keys) {
  json out = json::object();
  for (const char* k : keys) Copy(from, out, k);
  return out;
}

std::string PairKey(const std::string& current, const std::string& next) { return current + "\n" + next; }

// Only the names of Secrets a container reads (env secretKeyRef, envFrom secretRef).
json ContainerSecretRefs(const json& containers) {
  json out = json::array();
  if (!containers.is_array()) return out;
  for (const auto& c : containers) {
    json kept = json::object();
    if (const json* env = Field(c, "env"); env && env->is_array())
      for (const auto& e : *env)
        if (const json* from = Field(e, "valueFrom"))
          if (const json* ref = Field(*from, "secretKeyRef"))
            kept["env"].push_back({{"valueFrom", {{"secretKeyRef", CopyFields(*ref, {"name"})}}}});
    if (const json* env_from = Field(c, "envFrom"); env_from && env_from->is_array())
      for (const auto& e : *env_from)
        if (const json* ref = Field(e, "secretRef"))
          kept["envFrom"].push_back({{"secretRef", CopyFields(*ref, {"name"})}});
    if (!kept.empty()) out.push_back(kept);
  }
  return out;
}

// The pod spec reduced to what rotation::WorkloadReadsSecret looks at.
json PodSpecSecretRefs(const json& pod) {
  json out = json::object();
  for (const char* key : {"containers", "initContainers", "ephemeralContainers"})
    if (const json* c = Field(pod, key)) {
      json refs = ContainerSecretRefs(*c);
      if (!refs.empty()) out[key] = refs;
    }
  if (const json* volumes = Field(pod, "volumes"); volumes && volumes->is_array()) {
    for (const auto& v : *volumes) {
      if (const json* s = Field(v, "secret")) out["volumes"].push_back({{"secret", CopyFields(*s, {"secretName"})}});
      const json* projected = Field(v, "projected");
      const json* sources = projected ? Field(*projected, "sources") : nullptr;
      if (!sources || !sources->is_array()) continue;
      json kept = json::array();
      for (const auto& src : *sources)
        if (const json* s = Field(src, "secret")) kept.push_back({{"secret", CopyFields(*s, {"name"})}});
      if (!kept.empty()) out["volumes"].push_back({{"projected", {{"sources", kept}}}});
    }
  }
  return out;
}

rotation::StringMap StringMapOf(const json* obj) {
  rotation::StringMap out;
  if (!obj || !obj->is_object()) return out;
  for (auto it = obj->begin(); it != obj->end(); ++it)
    if (it.value().is_string()) out[it.key()] = it.value().get<std::string>();
  return out;
}

// Only keyroll's own annotations (keyroll.dev/...): the others (last-applied-configuration
// above all, a copy of the whole object) are never read and would double what is cached.
void CopyKeyrollAnnotations(const json& from_meta, json& to_meta) {
  const json* a = Field(from_meta, "annotations");
  if (!a) return;
  if (!a->is_object()) {  // kept as is: the spec parser reports it
    to_meta["annotations"] = *a;
    return;
  }
  json kept = json::object();
  for (auto it = a->begin(); it != a->end(); ++it)
    if (it.key().rfind("keyroll.dev/", 0) == 0) kept[it.key()] = it.value();
  to_meta["annotations"] = std::move(kept);
}

int64_t IntOr(const json* obj, const char* key, int64_t fallback) {
  const json* v = obj ? Field(*obj, key) : nullptr;
  return v && v->is_number_integer() ? v->get<int64_t>() : fallback;
}

}  // namespace

json ProjectSigningKeyRotation(const json& full) {
  json out = json::object();
  if (const json* m = Field(full, "metadata")) {
    out["metadata"] = CopyFields(*m, {"name", "namespace", "uid", "resourceVersion", "generation",
                                      "creationTimestamp", "deletionTimestamp"});
    CopyKeyrollAnnotations(*m, out["metadata"]);
  }
  Copy(full, out, "spec");
  Copy(full, out, "status");
  return out;
}

json ProjectSecret(const json& full, const std::vector<KeyPair>& pairs) {
  json out = json::object();
  if (const json* m = Field(full, "metadata")) {
    out["metadata"] = CopyFields(*m, {"name", "namespace", "uid", "resourceVersion", "labels", "annotations"});
    if (const json* refs = Field(*m, "ownerReferences"); refs && refs->is_array()) {
      json kept = json::array();
      for (const auto& r : *refs) kept.push_back(CopyFields(r, {"uid", "kind", "name", "controller"}));
      out["metadata"]["ownerReferences"] = kept;
    }
  }
  // Decode each value, keep its fingerprint, and hash the interesting pairs; the decoded
  // values live only inside this function.
  std::map<std::string, std::string> values;
  json fingerprints = json::object();
  if (const json* data = Field(full, "data"); data && data->is_object()) {
    for (auto it = data->begin(); it != data->end(); ++it) {
      if (!it.value().is_string()) continue;
      auto decoded = base::Base64Decode(it.value().get<std::string>());
      if (!decoded) continue;
      fingerprints[it.key()] = base::Fingerprint(*decoded);
      values[it.key()] = std::move(*decoded);
    }
  }
  std::vector<KeyPair> all = pairs;
  for (const auto& [cur, next] : vocab::kDefaultKeyPairs) all.emplace_back(cur, next);
  json hashes = json::object();
  for (const auto& [cur, next] : all) {
    auto c = values.find(cur), n = values.find(next);
    if (c != values.end() && n != values.end()) hashes[PairKey(cur, next)] = base::KeysHash(c->second, n->second);
  }
  for (auto& [k, v] : values) std::fill(v.begin(), v.end(), '\0');
  out["keyroll"] = {{"fingerprints", fingerprints}, {"pairHashes", hashes}};
  return out;
}

json ProjectWorkload(const json& full) {
  json out = json::object();
  if (const json* m = Field(full, "metadata")) {
    out["metadata"] = CopyFields(*m, {"name", "namespace", "uid", "resourceVersion", "generation", "labels",
                                      "creationTimestamp"});
    CopyKeyrollAnnotations(*m, out["metadata"]);
    // Only the controlling owner, if any: it decides who may write the template.
    if (const json* r = ControllerOf(full))
      out["metadata"]["ownerReferences"] = json::array({CopyFields(*r, {"kind", "name", "controller"})});
  }
  if (const json* spec = Field(full, "spec")) {
    json s = CopyFields(*spec, {"replicas", "paused"});
    if (const json* strategy = Field(*spec, "updateStrategy")) {  // StatefulSet, DaemonSet
      s["updateStrategy"] = CopyFields(*strategy, {"type"});
      if (const json* ru = Field(*strategy, "rollingUpdate"); ru && ru->is_object())
        s["updateStrategy"]["rollingUpdate"] = CopyFields(*ru, {"partition"});
    }
    // A CronJob's pod template is one level down; projected where the other kinds keep it.
    const json* job_template = Field(*spec, "jobTemplate");
    const json* job_spec = job_template ? Field(*job_template, "spec") : nullptr;
    if (const json* tmpl = job_spec ? Field(*job_spec, "template") : Field(*spec, "template")) {
      if (const json* tm = Field(*tmpl, "metadata")) {
        json kept = json::object();
        CopyKeyrollAnnotations(*tm, kept);
        if (kept.contains("annotations")) s["template"]["metadata"]["annotations"] = kept["annotations"];
      }
      if (const json* pod = Field(*tmpl, "spec")) s["template"]["spec"] = PodSpecSecretRefs(*pod);
    }
    out["spec"] = s;
  }
  if (const json* st = Field(full, "status")) {
    json s = CopyFields(*st, {"observedGeneration", "replicas", "updatedReplicas", "availableReplicas", "readyReplicas",
                              "currentRevision", "updateRevision", "desiredNumberScheduled",
                              "updatedNumberScheduled", "numberAvailable", "active", "startTime",
                              "completionTime", "phase", "message", "stableRS", "currentPodHash",
                              "controllerPause"});
    if (const json* pauses = Field(*st, "pauseConditions"); pauses && pauses->is_array())
      s["pauseConditions"] = static_cast<int64_t>(pauses->size());  // how many is all keyroll reads
    if (const json* conds = Field(*st, "conditions"); conds && conds->is_array())
      for (const auto& c : *conds)
        if (Str(c, "type") == "Progressing" || Str(c, "type") == "Complete" || Str(c, "type") == "Failed")
          s["conditions"].push_back(CopyFields(c, {"type", "status", "reason"}));
    out["status"] = s;
  }
  return out;
}

std::optional<rotation::ObservedSecret> ObserveSecret(const json& projected, const std::string& current_key,
                                                      const std::string& next_key, const std::string& resource_uid) {
  rotation::ObservedSecret s;
  s.exists = true;
  const json* meta = Field(projected, "metadata");
  s.labels = StringMapOf(meta ? Field(*meta, "labels") : nullptr);
  s.annotations = StringMapOf(meta ? Field(*meta, "annotations") : nullptr);
  if (const json* refs = meta ? Field(*meta, "ownerReferences") : nullptr; refs && refs->is_array())
    for (const auto& r : *refs)
      if (!resource_uid.empty() && Str(r, "uid") == resource_uid)
        s.owner_reference_to_resource = true;
  const json* k = Field(projected, "keyroll");
  const json* fps = k ? Field(*k, "fingerprints") : nullptr;
  auto fp = [&](const std::string& key) -> std::optional<std::string> {
    const json* v = fps ? Field(*fps, key.c_str()) : nullptr;
    if (!v || !v->is_string()) return std::nullopt;
    return v->get<std::string>();
  };
  s.current_fingerprint = fp(current_key);
  s.next_fingerprint = fp(next_key);
  s.data_fingerprints = StringMapOf(fps);
  if (s.current_fingerprint && s.next_fingerprint) {
    const json* hashes = k ? Field(*k, "pairHashes") : nullptr;
    const json* h = hashes ? Field(*hashes, PairKey(current_key, next_key).c_str()) : nullptr;
    if (!h || !h->is_string()) return std::nullopt;
    s.keys_hash = h->get<std::string>();
  }
  return s;
}

rotation::ObservedWorkload ObserveWorkload(const json& projected, rotation::WorkloadKind kind,
                                           rotation::ConsumerSource source) {
  rotation::ObservedWorkload d;
  d.kind = kind;
  d.source = source;
  d.found = true;
  const json* meta = Field(projected, "metadata");
  const json* spec = Field(projected, "spec");
  const json* status = Field(projected, "status");
  if (meta) {
    if (const json* n = Field(*meta, "name"); n && n->is_string()) d.name = n->get<std::string>();
    d.generation = IntOr(meta, "generation", 0);
    if (const json* refs = Field(*meta, "ownerReferences"); refs && refs->is_array() && !refs->empty())
      d.controller_owner = Str((*refs)[0], "kind") + "/" + Str((*refs)[0], "name");
    auto annotations = StringMapOf(Field(*meta, "annotations"));
    if (auto it = annotations.find(std::string(vocab::kAnnotationObservedKeysHash)); it != annotations.end())
      d.observed_keys_hash = it->second;
  }
  if (spec) {
    d.replicas = static_cast<int32_t>(IntOr(spec, "replicas", 1));
    if (const json* p = Field(*spec, "paused"); p && p->is_boolean()) d.paused = p->get<bool>();
    if (const json* strategy = Field(*spec, "updateStrategy")) {
      d.update_strategy = Str(*strategy, "type");
      if (const json* ru = Field(*strategy, "rollingUpdate"); ru && ru->is_object() && kind == rotation::WorkloadKind::StatefulSet)
        d.partition = static_cast<int32_t>(IntOr(ru, "partition", 0));
    }
    const json* tmpl = Field(*spec, "template");
    const json* tm = tmpl ? Field(*tmpl, "metadata") : nullptr;
    auto annotations = StringMapOf(tm ? Field(*tm, "annotations") : nullptr);
    if (auto it = annotations.find(std::string(vocab::kAnnotationKeysHash)); it != annotations.end())
      d.template_keys_hash = it->second;
  }
  if (status) {
    d.observed_generation = IntOr(status, "observedGeneration", 0);
    d.status_replicas = static_cast<int32_t>(IntOr(status, "replicas", 0));
    d.updated_replicas = static_cast<int32_t>(IntOr(status, "updatedReplicas", 0));
    d.available_replicas = static_cast<int32_t>(IntOr(status, "availableReplicas", 0));
    d.ready_replicas = static_cast<int32_t>(IntOr(status, "readyReplicas", 0));
    d.current_revision = Str(*status, "currentRevision");
    d.update_revision = Str(*status, "updateRevision");
    d.desired_number_scheduled = static_cast<int32_t>(IntOr(status, "desiredNumberScheduled", 0));
    d.updated_number_scheduled = static_cast<int32_t>(IntOr(status, "updatedNumberScheduled", 0));
    d.number_available = static_cast<int32_t>(IntOr(status, "numberAvailable", 0));
    d.active = static_cast<int32_t>(IntOr(status, "active", 0));
    if (kind == rotation::WorkloadKind::Rollout) {
      // Argo Rollouts writes observedGeneration as a string; a non-numeric one (v0.9 and
      // before: a hash) counts as observed, as Argo's own status does.
      if (const json* og = Field(*status, "observedGeneration"); og && og->is_string()) {
        const std::string& text = og->get_ref<const std::string&>();
        char* end = nullptr;
        long long n = std::strtoll(text.c_str(), &end, 10);
        d.observed_generation = !text.empty() && *end == '\0' ? n : d.generation;
      }
      d.phase = Str(*status, "phase");
      d.phase_message = Str(*status, "message");
      d.stable_rs = Str(*status, "stableRS");
      d.current_pod_hash = Str(*status, "currentPodHash");
      const json* pause = Field(*status, "controllerPause");
      d.unpausing = pause && pause->is_boolean() && pause->get<bool>() && IntOr(status, "pauseConditions", 0) == 0;
    }
    if (auto t = rotation::ParseTimestamp(Str(*status, "startTime"))) d.start_time = *t;
    d.finished = !Str(*status, "completionTime").empty();
    if (const json* conds = Field(*status, "conditions"); conds && conds->is_array())
      for (const auto& c : *conds) {
        const std::string type = Str(c, "type");
        if (type == "Progressing") {
          d.progressing_status = Str(c, "status");
          d.progressing_reason = Str(c, "reason");
        }
        if ((type == "Complete" || type == "Failed") && Str(c, "status") == "True") d.finished = true;
      }
  }
  return d;
}

const kube::ResourceRef& ResourceOf(rotation::WorkloadKind kind) {
  switch (kind) {
    case rotation::WorkloadKind::Deployment: return kube::resources::kDeployments;
    case rotation::WorkloadKind::StatefulSet: return kube::resources::kStatefulSets;
    case rotation::WorkloadKind::DaemonSet: return kube::resources::kDaemonSets;
    case rotation::WorkloadKind::Job: return kube::resources::kJobs;
    case rotation::WorkloadKind::CronJob: return kube::resources::kCronJobs;
    case rotation::WorkloadKind::Rollout: return kube::resources::kRollouts;
  }
  return kube::resources::kDeployments;
}

const json* ControllerOf(const json& object) {
  const json* meta = Field(object, "metadata");
  const json* refs = meta ? Field(*meta, "ownerReferences") : nullptr;
  if (!refs || !refs->is_array()) return nullptr;
  for (const auto& r : *refs)
    if (const json* c = Field(r, "controller"); c && c->is_boolean() && c->get<bool>()) return &r;
  return nullptr;
}

rotation::StringMap LabelsOf(const json& object) {
  const json* meta = Field(object, "metadata");
  return StringMapOf(meta ? Field(*meta, "labels") : nullptr);
}

}  // namespace keyroll::controller
