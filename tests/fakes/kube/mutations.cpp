#include "tests/fakes/kube/mutations.h"

#include "tests/fakes/kube/api_error.h"
#include "tests/fakes/kube/object_rules.h"
#include "tests/fakes/kube/patch.h"

namespace keyroll::fakes {
namespace {

bool IsCrd(const ResourceType& t) {
  return t.group == "apiextensions.k8s.io" && t.plural == "customresourcedefinitions";
}
bool IsNamespace(const ResourceType& t) { return t.group.empty() && t.plural == "namespaces"; }

ResourceType NamespaceType(const ServerState& state) {
  return *state.registry.Find("", "v1", "namespaces");
}

void RequireNamespace(ServerState& state, const Target& t) {
  if (!t.type.namespaced) return;
  if (!state.store.Find(NamespaceType(state), "", t.ns)) {
    throw NotFound({"namespaces", "", t.ns});
  }
}

ResourceType CrdTypeOrInvalid(const json& crd) {
  try {
    return ResourceTypeFromCrd(crd);
  } catch (const std::exception& e) {
    throw Invalid("CustomResourceDefinition", "apiextensions.k8s.io",
                  crd["metadata"].value("name", ""),
                  {"FieldValueInvalid", std::string("Invalid value: ") + e.what(), "spec"});
  }
}

// Deletes every object of `type` in `ns` ("" = all), each with its own DELETED event.
void DeleteAll(ServerState& state, const ResourceType& type, const std::string& ns) {
  int64_t at = 0;
  auto objects = state.store.List(type, ns, 0, &at);
  if (!objects) return;
  for (const auto& [key, o] : *objects) {
    try {
      state.store.Delete(type, o["metadata"].value("namespace", ""), o["metadata"].value("name", ""));
    } catch (const ApiError&) {
      // already gone
    }
  }
}

void CheckDeletePreconditions(const ResourceType& type, const json& current, const json& options) {
  if (!options.is_object() || !options.contains("preconditions")) return;
  const json& pre = options["preconditions"];
  const json& meta = current["metadata"];
  ErrorSubject subject{type.plural, type.group, meta.value("name", "")};
  auto fail = [&](const std::string& what, const std::string& want, const std::string& have) {
    json status = Conflict(subject).status();
    status["message"] = "Operation cannot be fulfilled on " + QualifiedResource(type.plural, type.group) +
                        " \"" + subject.name + "\": Precondition failed: " + what +
                        " in precondition: " + want + ", " + what + " in object meta: " + have;
    throw ApiError(409, status);
  };
  if (pre.contains("uid") && pre["uid"].is_string() && pre["uid"] != meta.value("uid", "")) {
    fail("UID", pre["uid"], meta.value("uid", ""));
  }
  if (pre.contains("resourceVersion") && pre["resourceVersion"].is_string() &&
      pre["resourceVersion"] != meta.value("resourceVersion", "")) {
    fail("ResourceVersion", pre["resourceVersion"], meta.value("resourceVersion", ""));
  }
}

// What the controllers of a bare cluster put into every new namespace at once (captures
// 200-new-namespace-*.txt): the root CA ConfigMap and the default ServiceAccount.
void PopulateNamespace(ServerState& state, const std::string& ns) {
  const std::string description =
      "Contains a CA bundle that can be used to verify the kube-apiserver when using internal "
      "endpoints such as the internal service IP or kubernetes.default.svc. No other usage is "
      "guaranteed across distributions of Kubernetes clusters.";
  auto configmaps = *state.registry.Find("", "v1", "configmaps");
  auto serviceaccounts = *state.registry.Find("", "v1", "serviceaccounts");
  json ca = {{"metadata", {{"name", "kube-root-ca.crt"},
                           {"annotations", {{"kubernetes.io/description", description}}}}},
             {"data", {{"ca.crt", state.settings.root_ca_pem}}}};
  state.store.Create(configmaps, PrepareCreate(configmaps, "v1", ns, std::move(ca)));
  json sa = {{"metadata", {{"name", "default"}}}};
  state.store.Create(serviceaccounts, PrepareCreate(serviceaccounts, "v1", ns, std::move(sa)));
}

}  // namespace

Written CreateObject(ServerState& state, const Target& t, json body) {
  RequireNamespace(state, t);
  json object = PrepareCreate(t.type, t.version, t.ns, std::move(body));
  std::optional<ResourceType> crd_type;
  if (IsCrd(t.type)) crd_type = CrdTypeOrInvalid(object);
  Written created = state.store.Create(t.type, std::move(object));
  if (crd_type) state.registry.AddOrReplace(*crd_type);
  if (IsNamespace(t.type)) PopulateNamespace(state, (*created.object)["metadata"].value("name", ""));
  return created;
}

Written ReplaceObject(ServerState& state, const Target& t, json body, bool status_only) {
  // Custom resources refuse unconditional updates (AllowUnconditionalUpdate is false).
  if (t.type.custom && !status_only) {
    std::string rv = body.contains("metadata") ? body["metadata"].value("resourceVersion", "") : "";
    if (rv.empty()) {
      throw Invalid(t.type.kind, t.type.group, t.name,
                    {"FieldValueInvalid", "Invalid value: 0x0: must be specified for an update",
                     "metadata.resourceVersion"});
    }
  }
  std::optional<ResourceType> crd_type;
  Written updated = state.store.Update(t.type, t.ns, t.name, [&](const json& current) {
    json next = PrepareUpdate(t.type, t.version, current, std::move(body), status_only);  // called once
    if (IsCrd(t.type) && !status_only) crd_type = CrdTypeOrInvalid(next);
    return next;
  });
  if (crd_type) state.registry.AddOrReplace(*crd_type);
  return updated;
}

Written PatchObject(ServerState& state, const Target& t, const std::string& content_type,
                    const std::string& body, bool status_only) {
  std::optional<ResourceType> crd_type;
  Written updated = state.store.Update(t.type, t.ns, t.name, [&](const json& current) {
    json patched = ApplyPatch(current, content_type, body);
    // A patch that names a resourceVersion makes it a precondition; otherwise none.
    if (patched["metadata"].is_object() &&
        patched["metadata"].value("resourceVersion", "") == current["metadata"].value("resourceVersion", "")) {
      patched["metadata"].erase("resourceVersion");
    }
    json next = PrepareUpdate(t.type, t.version, current, std::move(patched), status_only);
    if (IsCrd(t.type) && !status_only) crd_type = CrdTypeOrInvalid(next);
    return next;
  });
  if (crd_type) state.registry.AddOrReplace(*crd_type);
  return updated;
}

Written DeleteObject(ServerState& state, const Target& t, const json& options) {
  Written deleted = state.store.Delete(t.type, t.ns, t.name, [&](const json& current) {
    CheckDeletePreconditions(t.type, current, options);
  });
  if (IsNamespace(t.type)) {
    for (const auto& type : state.registry.All()) {
      if (type.namespaced) DeleteAll(state, type, t.name);
    }
  }
  if (IsCrd(t.type)) {
    try {
      ResourceType custom = ResourceTypeFromCrd(*deleted.object);
      DeleteAll(state, custom, "");
      state.registry.Remove(custom.group, custom.plural);
    } catch (const std::exception&) {
      // a CRD that never registered anything
    }
  }
  return deleted;
}

}  // namespace keyroll::fakes
