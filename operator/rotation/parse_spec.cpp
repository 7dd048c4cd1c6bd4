// parse_spec.cpp — the resource envelope: apiVersion/kind, metadata, spec sections.
#include "operator/rotation/parse_spec.h"

#include "operator/rotation/json_fields.h"
#include "operator/rotation/names.h"
#include "operator/rotation/parse_spec_sections.h"
#include "operator/rotation/status_json.h"
#include "operator/rotation/vocabulary.h"

namespace keyroll::rotation {

using nlohmann::json;

namespace {
constexpr Seconds kMinRefresh{10};
constexpr Seconds kMaxRefresh{168 * 3600};
}  // namespace

Result<Spec, FieldErrors> ParseSpec(const json& resource) {
  FieldErrors errors;
  FieldReader r(errors);
  Spec spec;
  try {
    if (!resource.is_object()) return Err{FieldErrors{{"", "resource must be a JSON object"}}};
    if (auto v = r.String(resource, "apiVersion", "apiVersion"); v && *v != vocab::kApiVersion)
      r.Error("apiVersion", "must be " + std::string(vocab::kApiVersion));
    if (auto v = r.String(resource, "kind", "kind"); v && *v != vocab::kKind)
      r.Error("kind", "must be " + std::string(vocab::kKind));
    std::string name;
    if (const json* meta = r.Object(resource, "metadata", "metadata", true)) {
      if (auto n = r.String(*meta, "name", "metadata.name", true)) {
        if (auto e = CheckDnsSubdomain(*n)) r.Error("metadata.name", *e);
        else name = *n;
      }
      if (const json* ann = r.Object(*meta, "annotations", "metadata.annotations")) {
        auto path = KeyPath("metadata.annotations", vocab::kAnnotationRotateRequest);
        if (auto v = r.String(*ann, vocab::kAnnotationRotateRequest, path))
          if (auto e = CheckFreeText(*v, 253)) r.Error(path, *e);
      }
    }
    const json* s = r.Object(resource, "spec", "spec", true);
    if (s) {
      r.RejectUnknown(*s, {"provider", "target", "refreshInterval", "rotation", "consumers"}, "spec");
      spec.target.current_key = vocab::kQStashCurrentKey;  // auth0 overrides
      spec.target.next_key = vocab::kQStashNextKey;
      detail::ParseProvider(r, *s, spec);
      detail::ParseTarget(r, *s, name, spec);
      if (auto d = detail::ParseDurationField(r, *s, "refreshInterval", "spec.refreshInterval",
                                              kMinRefresh, kMaxRefresh))
        spec.refresh_interval = *d;
      detail::ParseRotation(r, *s, spec);
      detail::ParseConsumers(r, *s, spec);
    }
  } catch (const std::exception& e) {
    // Defensive: every access is type-checked, but bad input must never escape as a throw.
    errors.push_back({"spec", std::string("could not be read: ") + e.what()});
  }
  if (!errors.empty()) return Err{std::move(errors)};
  return spec;
}

ResourceMeta ParseResourceMeta(const json& resource) {
  ResourceMeta m;
  if (!resource.is_object()) return m;
  auto it = resource.find("metadata");
  if (it == resource.end() || !it->is_object()) return m;
  const json& meta = *it;
  auto str = [&](const char* key) -> std::string {
    auto f = meta.find(key);
    return f != meta.end() && f->is_string() ? f->get<std::string>() : std::string();
  };
  m.name = str("name");
  m.namespace_ = str("namespace");
  m.uid = str("uid");
  m.resource_version = str("resourceVersion");
  if (auto g = meta.find("generation"); g != meta.end() && g->is_number_integer())
    m.generation = g->get<int64_t>();
  if (auto c = str("creationTimestamp"); !c.empty()) m.creation_timestamp = ParseTimestamp(c);
  if (auto d = meta.find("deletionTimestamp"); d != meta.end() && !d->is_null()) m.deleting = true;
  if (auto a = meta.find("annotations"); a != meta.end() && a->is_object())
    for (auto e = a->begin(); e != a->end(); ++e)
      if (e.value().is_string()) m.annotations[e.key()] = e.value().get<std::string>();
  return m;
}

ObservedResource ParseResource(const json& resource) {
  ObservedResource out;
  out.meta = ParseResourceMeta(resource);
  out.spec = ParseSpec(resource);
  if (resource.is_object())
    if (auto st = resource.find("status"); st != resource.end()) out.status = ParseStatus(*st);
  return out;
}

}  // namespace keyroll::rotation
