// parse_spec_sections.cpp — provider, target, rotation and consumers sections.
#include "operator/rotation/parse_spec_sections.h"

#include <set>

#include "operator/rotation/cron.h"
#include "operator/rotation/duration.h"
#include "operator/rotation/names.h"
#include "operator/rotation/vocabulary.h"

namespace keyroll::rotation::detail {

using nlohmann::json;

namespace {

constexpr size_t kMaxMapEntries = 64;
constexpr size_t kMaxAnnotationBytes = 64 * 1024;

// A string field checked by `check` (a names.h validator); the value when valid.
template <class Check>
std::optional<std::string> Checked(FieldReader& r, const json& obj, std::string_view key,
                                   const std::string& path, bool required, Check check) {
  auto v = r.String(obj, key, path, required);
  if (!v) return std::nullopt;
  if (auto e = check(*v)) {
    r.Error(path, *e);
    return std::nullopt;
  }
  return v;
}

void RefuseNamespace(FieldReader& r, const json& ref, const std::string& path) {
  if (ref.is_object() && ref.contains("namespace"))
    r.Error(Path(path, "namespace"),
            "cross-namespace references are not allowed: the Secret must be in the "
            "resource's namespace");
}

// `default_key` stands in for an omitted `key`, as the CRD's default does on a real API server.
std::optional<SecretKeyRef> ParseSecretKeyRef(FieldReader& r, const json& parent, std::string_view key,
                                              const std::string& path, std::string_view default_key) {
  const json* ref = r.Object(parent, key, path, true);
  if (!ref) return std::nullopt;
  RefuseNamespace(r, *ref, path);
  r.RejectUnknown(*ref, {"name", "key", "namespace"}, path);
  SecretKeyRef out;
  auto name = Checked(r, *ref, "name", Path(path, "name"), true, CheckDnsSubdomain);
  auto k = Checked(r, *ref, "key", Path(path, "key"), false, CheckSecretDataKey);
  if (!name || (ref->contains("key") && !k)) return std::nullopt;  // a bad key is an error
  out.name = *name;
  out.key = k ? *k : std::string(default_key);
  return out;
}

std::optional<StringMap> ParseMetadataMap(FieldReader& r, const json& obj, std::string_view key,
                                          const std::string& path, bool labels) {
  auto m = r.Map(obj, key, path, kMaxMapEntries);
  if (!m) return std::nullopt;
  size_t bytes = 0;
  for (const auto& [k, v] : *m) {
    auto p = KeyPath(path, k);
    if (auto e = CheckQualifiedName(k)) r.Error(p, "key " + *e);
    if (labels) {
      if (auto e = CheckLabelValue(v)) r.Error(p, *e);
    } else if (auto e = CheckFreeText(v, kMaxAnnotationBytes)) {
      r.Error(p, *e);
    }
    bytes += k.size() + v.size();
  }
  if (bytes > kMaxAnnotationBytes) r.Error(path, "is too large (at most 64 KiB in total)");
  return m;
}

std::optional<LabelSelector> ParseSelector(FieldReader& r, const json& sel, const std::string& path) {
  r.RejectUnknown(sel, {"matchLabels", "matchExpressions"}, path);
  LabelSelector out;
  if (auto m = r.Map(sel, "matchLabels", Path(path, "matchLabels"), kMaxMapEntries)) {
    for (const auto& [k, v] : *m) {
      auto p = KeyPath(Path(path, "matchLabels"), k);
      if (auto e = CheckQualifiedName(k)) r.Error(p, "key " + *e);
      if (auto e = CheckLabelValue(v)) r.Error(p, *e);
    }
    out.match_labels = *m;
  }
  const std::string exprs_path = Path(path, "matchExpressions");
  if (const json* exprs = r.Array(sel, "matchExpressions", exprs_path, 32)) {
    for (size_t i = 0; i < exprs->size(); ++i) {
      const std::string p = Path(exprs_path, i);
      const json& e = (*exprs)[i];
      if (!e.is_object()) {
        r.Error(p, "must be an object");
        continue;
      }
      r.RejectUnknown(e, {"key", "operator", "values"}, p);
      SelectorRequirement req;
      auto key = Checked(r, e, "key", Path(p, "key"), true, CheckQualifiedName);
      auto op = r.String(e, "operator", Path(p, "operator"), true);
      if (key) req.key = *key;
      if (op) {
        if (*op == "In") req.op = SelectorOperator::In;
        else if (*op == "NotIn") req.op = SelectorOperator::NotIn;
        else if (*op == "Exists") req.op = SelectorOperator::Exists;
        else if (*op == "DoesNotExist") req.op = SelectorOperator::DoesNotExist;
        else r.Error(Path(p, "operator"), "must be one of In, NotIn, Exists, DoesNotExist");
      }
      const std::string vp = Path(p, "values");
      if (const json* values = r.Array(e, "values", vp, 64)) {
        for (size_t j = 0; j < values->size(); ++j) {
          const json& v = (*values)[j];
          if (!v.is_string()) {
            r.Error(Path(vp, j), "must be a string");
            continue;
          }
          if (auto err = CheckLabelValue(v.get<std::string>())) r.Error(Path(vp, j), *err);
          req.values.push_back(v.get<std::string>());
        }
      }
      bool needs_values = req.op == SelectorOperator::In || req.op == SelectorOperator::NotIn;
      if (op && needs_values && req.values.empty())
        r.Error(vp, "must be non-empty for operator " + *op);
      if (op && !needs_values && !req.values.empty())
        r.Error(vp, "must be empty for operator " + *op);
      out.match_expressions.push_back(std::move(req));
    }
  }
  if (out.match_labels.empty() && out.match_expressions.empty())
    r.Error(path, "must not be empty (an empty selector would select every Deployment)");
  return out;
}

// PEM text (newlines allowed, no other control characters) with at least one certificate.
std::optional<std::string> ParseCaBundle(FieldReader& r, const json& obj, const std::string& path) {
  auto pem = r.String(obj, "caBundle", path);
  if (!pem || pem->empty()) return std::nullopt;
  if (pem->size() > 65536) {
    r.Error(path, "is too large (at most 64 KiB)");
    return std::nullopt;
  }
  for (unsigned char ch : *pem)
    if (ch < 0x20 && ch != '\n' && ch != '\r' && ch != '\t') {
      r.Error(path, "must be PEM text (it holds a control character)");
      return std::nullopt;
    }
  if (pem->find("-----BEGIN CERTIFICATE-----") == std::string::npos) {
    r.Error(path, "must hold PEM certificates (-----BEGIN CERTIFICATE-----)");
    return std::nullopt;
  }
  return pem;
}

}  // namespace

std::optional<Seconds> ParseDurationField(FieldReader& r, const json& obj, std::string_view key,
                                          const std::string& path, Seconds min, Seconds max) {
  auto text = r.String(obj, key, path);
  if (!text) return std::nullopt;
  auto d = ParseDuration(*text);
  if (!d) {
    r.Error(path, d.error());
    return std::nullopt;
  }
  if (d->count() % 1'000'000'000 != 0) {
    r.Error(path, "must be whole seconds");
    return std::nullopt;
  }
  auto s = std::chrono::duration_cast<Seconds>(*d);
  if (s < min || s > max) {
    r.Error(path, "must be between " + FormatDuration(min) + " and " + FormatDuration(max));
    return std::nullopt;
  }
  return s;
}

void ParseProvider(FieldReader& r, const json& spec, Spec& out) {
  const json* p = r.Object(spec, "provider", "spec.provider", true);
  if (!p) return;
  r.RejectUnknown(*p, {"qstash", "auth0"}, "spec.provider");
  const json* q = r.Object(*p, "qstash", "spec.provider.qstash");
  const json* a = r.Object(*p, "auth0", "spec.provider.auth0");
  if (q && a) {
    r.Error("spec.provider", "exactly one provider must be set, found both qstash and auth0");
    return;
  }
  if (!q && !a) {
    // A block of the wrong type was reported by r.Object; absent or null ones were not
    // ("qstash: null" alone once passed as a provider with no token and no URL).
    auto given = [&](const char* k) { return p->contains(k) && !(*p)[k].is_null(); };
    if (!given("qstash") && !given("auth0"))
      r.Error("spec.provider", "exactly one provider must be set (qstash or auth0)");
    return;
  }
  if (q) {
    const std::string path = "spec.provider.qstash";
    r.RejectUnknown(*q, {"tokenSecretRef", "url", "caBundle"}, path);
    QStashProvider qs;
    if (auto ref = ParseSecretKeyRef(r, *q, "tokenSecretRef", Path(path, "tokenSecretRef"), vocab::kQStashTokenKey))
      qs.token_secret_ref = *ref;
    qs.url = std::string(vocab::kQStashDefaultUrl);
    if (auto url = Checked(r, *q, "url", Path(path, "url"), false, CheckHttpsUrl)) qs.url = *url;
    while (qs.url.size() > 8 && qs.url.back() == '/') qs.url.pop_back();
    if (auto ca = ParseCaBundle(r, *q, Path(path, "caBundle"))) qs.ca_bundle = *ca;
    out.provider = qs;
    out.target.current_key = vocab::kQStashCurrentKey;
    out.target.next_key = vocab::kQStashNextKey;
    return;
  }
  const std::string path = "spec.provider.auth0";
  r.RejectUnknown(*a, {"domain", "clientSecretRef", "audience", "caBundle"}, path);
  Auth0Provider au;
  if (auto d = Checked(r, *a, "domain", Path(path, "domain"), true, CheckHostPort)) au.domain = *d;
  const std::string ref_path = Path(path, "clientSecretRef");
  if (const json* ref = r.Object(*a, "clientSecretRef", ref_path, true)) {
    RefuseNamespace(r, *ref, ref_path);
    r.RejectUnknown(*ref, {"name", "clientIDKey", "clientSecretKey", "namespace"}, ref_path);
    if (auto n = Checked(r, *ref, "name", Path(ref_path, "name"), true, CheckDnsSubdomain))
      au.client_secret_ref.name = *n;
    au.client_secret_ref.client_id_key = vocab::kAuth0ClientIdKey;
    au.client_secret_ref.client_secret_key = vocab::kAuth0ClientSecretKey;
    if (auto k = Checked(r, *ref, "clientIDKey", Path(ref_path, "clientIDKey"), false, CheckSecretDataKey))
      au.client_secret_ref.client_id_key = *k;
    if (auto k = Checked(r, *ref, "clientSecretKey", Path(ref_path, "clientSecretKey"), false,
                         CheckSecretDataKey))
      au.client_secret_ref.client_secret_key = *k;
  }
  au.audience = "https://" + au.domain + "/api/v2/";
  if (auto aud = Checked(r, *a, "audience", Path(path, "audience"), false,
                         [](std::string_view s) { return CheckFreeText(s, 2048); }))
    if (!aud->empty()) au.audience = *aud;
  if (auto ca = ParseCaBundle(r, *a, Path(path, "caBundle"))) au.ca_bundle = *ca;
  out.provider = au;
  out.target.current_key = vocab::kAuth0CurrentKey;
  out.target.next_key = vocab::kAuth0NextKey;
}

void ParseTarget(FieldReader& r, const json& spec, const std::string& resource_name, Spec& out) {
  out.target.secret_name = resource_name;
  const json* t = r.Object(spec, "target", "spec.target");
  if (!t) return;
  const std::string path = "spec.target";
  r.RejectUnknown(*t, {"secretName", "currentKey", "nextKey", "labels", "annotations",
                       "deletionPolicy", "namespace"}, path);
  RefuseNamespace(r, *t, path);
  if (auto n = Checked(r, *t, "secretName", Path(path, "secretName"), false, CheckDnsSubdomain))
    out.target.secret_name = *n;
  if (auto k = Checked(r, *t, "currentKey", Path(path, "currentKey"), false, CheckSecretDataKey))
    out.target.current_key = *k;
  if (auto k = Checked(r, *t, "nextKey", Path(path, "nextKey"), false, CheckSecretDataKey))
    out.target.next_key = *k;
  if (!out.target.current_key.empty() && out.target.current_key == out.target.next_key)
    r.Error(Path(path, "nextKey"), "must differ from currentKey");
  if (auto m = ParseMetadataMap(r, *t, "labels", Path(path, "labels"), true)) {
    if (m->contains(std::string(vocab::kLabelManagedBy)))
      r.Error(KeyPath(Path(path, "labels"), vocab::kLabelManagedBy), "is set by keyroll and cannot be overridden");
    out.target.labels = *m;
  }
  if (auto m = ParseMetadataMap(r, *t, "annotations", Path(path, "annotations"), false)) {
    for (const auto& [k, v] : *m)
      if (k.starts_with("keyroll.dev/"))
        r.Error(KeyPath(Path(path, "annotations"), k), "keyroll.dev/ annotations are reserved for keyroll");
    out.target.annotations = *m;
  }
  if (auto p = r.String(*t, "deletionPolicy", Path(path, "deletionPolicy"))) {
    if (*p == "Delete") out.target.deletion_policy = DeletionPolicy::Delete;
    else if (*p == "Retain") out.target.deletion_policy = DeletionPolicy::Retain;
    else r.Error(Path(path, "deletionPolicy"), "must be Delete or Retain");
  }
}

void ParseRotation(FieldReader& r, const json& spec, Spec& out) {
  const json* rot = r.Object(spec, "rotation", "spec.rotation");
  if (!rot) return;
  const std::string path = "spec.rotation";
  r.RejectUnknown(*rot, {"schedule", "timeZone", "maxKeyAge", "requestID", "minInterval", "suspend", "revokePrevious"},
                  path);
  auto& o = out.rotation;
  bool zone_ok = true;
  if (auto tz = r.String(*rot, "timeZone", Path(path, "timeZone"))) {
    if (tz->empty()) {
      o.time_zone = "UTC";
    } else if (auto e = CheckFreeText(*tz, 64); e || !IsKnownTimeZone(*tz)) {
      r.Error(Path(path, "timeZone"),
              e ? *e : "unknown time zone \"" + *tz + "\" (use an IANA name such as Europe/Berlin)");
      zone_ok = false;
    } else {
      o.time_zone = *tz;
    }
  }
  if (auto s = r.String(*rot, "schedule", Path(path, "schedule")); s && !s->empty()) {
    if (auto e = CheckFreeText(*s, 256)) {
      r.Error(Path(path, "schedule"), *e);
    } else if (auto c = CronSchedule::Parse(*s, zone_ok ? o.time_zone : "UTC"); !c) {
      r.Error(Path(path, "schedule"), c.error());
    } else {
      o.schedule = *s;
    }
  }
  o.max_key_age = ParseDurationField(r, *rot, "maxKeyAge", Path(path, "maxKeyAge"),
                                     std::chrono::minutes{1}, std::chrono::hours{87600});
  if (auto m = ParseDurationField(r, *rot, "minInterval", Path(path, "minInterval"), Seconds{0},
                                  std::chrono::hours{8760}))
    o.min_interval = *m;
  if (auto id = Checked(r, *rot, "requestID", Path(path, "requestID"), false,
                        [](std::string_view s) { return CheckFreeText(s, 253); }))
    o.request_id = *id;
  if (auto b = r.Bool(*rot, "suspend", Path(path, "suspend"))) o.suspend = *b;
  if (auto b = r.Bool(*rot, "revokePrevious", Path(path, "revokePrevious"))) {
    // Only Auth0 keeps the key used before a rotation valid (and lets it be revoked).
    const json* prov = spec.is_object() && spec.contains("provider") ? &spec["provider"] : nullptr;
    bool auth0 = prov && prov->is_object() && prov->contains("auth0");  // as written, even if invalid
    if (*b && !auth0) r.Error(Path(path, "revokePrevious"), "applies only to the auth0 provider");
    else o.revoke_previous = *b;
  }
}

// One list of declared consumers of one kind (spec.consumers.deployments, .statefulSets, …).
void ParseWorkloadList(FieldReader& r, const json& c, const std::string& path, const char* field, WorkloadKind kind,
                       Spec& out) {
  const std::string lpath = Path(path, field);
  const std::string kind_name(KindName(kind));
  std::set<std::string> names;
  const json* list = r.Array(c, field, lpath, 100);
  if (!list) return;
  for (size_t i = 0; i < list->size(); ++i) {
    const std::string p = Path(lpath, i);
    const json& d = (*list)[i];
    if (!d.is_object()) {
      r.Error(p, "must be an object with name or selector");
      continue;
    }
    RefuseNamespace(r, d, p);
    r.RejectUnknown(d, {"name", "selector", "namespace"}, p);
    const json* sel = r.Object(d, "selector", Path(p, "selector"));
    bool has_name = d.contains("name") && !d["name"].is_null();
    bool bad_selector = !sel && d.contains("selector") && !d["selector"].is_null();
    if (bad_selector) continue;  // r.Object reported it
    if (has_name == (sel != nullptr)) {
      r.Error(p, "exactly one of name or selector must be set");
      continue;
    }
    WorkloadRef ref;
    ref.kind = kind;
    if (has_name) {
      auto n = Checked(r, d, "name", Path(p, "name"), true, CheckDnsSubdomain);
      if (!n) continue;
      if (!names.insert(*n).second) r.Error(Path(p, "name"), "duplicate " + kind_name + " \"" + *n + "\"");
      ref.name = *n;
    } else if (sel) {
      ref.selector = ParseSelector(r, *sel, Path(p, "selector"));
    }
    out.consumers.workloads.push_back(std::move(ref));
  }
}

void ParseConsumers(FieldReader& r, const json& spec, Spec& out) {
  const json* c = r.Object(spec, "consumers", "spec.consumers");
  if (!c) return;
  const std::string path = "spec.consumers";
  r.RejectUnknown(*c, {"deployments", "statefulSets", "daemonSets", "rollouts", "discover", "restart", "maxConcurrentRestarts",
                       "runningJobs"},
                  path);
  ParseWorkloadList(r, *c, path, "deployments", WorkloadKind::Deployment, out);
  ParseWorkloadList(r, *c, path, "statefulSets", WorkloadKind::StatefulSet, out);
  ParseWorkloadList(r, *c, path, "daemonSets", WorkloadKind::DaemonSet, out);
  ParseWorkloadList(r, *c, path, "rollouts", WorkloadKind::Rollout, out);
  if (auto b = r.Bool(*c, "discover", Path(path, "discover"))) out.consumers.discover = *b;
  if (auto s = r.String(*c, "restart", Path(path, "restart"))) {
    if (*s == "RolloutRestart") out.consumers.restart = RestartPolicy::RolloutRestart;
    else if (*s == "None") out.consumers.restart = RestartPolicy::None;
    else r.Error(Path(path, "restart"), "must be RolloutRestart or None");
  }
  if (auto s = r.String(*c, "runningJobs", Path(path, "runningJobs"))) {
    if (*s == "Wait") out.consumers.running_jobs = RunningJobsPolicy::Wait;
    else if (*s == "Ignore") out.consumers.running_jobs = RunningJobsPolicy::Ignore;
    else r.Error(Path(path, "runningJobs"), "must be Wait or Ignore");
  }
  if (auto n = r.Int(*c, "maxConcurrentRestarts", Path(path, "maxConcurrentRestarts"))) {
    if (*n < 1 || *n > 100) r.Error(Path(path, "maxConcurrentRestarts"), "must be between 1 and 100");
    else out.consumers.max_concurrent_restarts = static_cast<int>(*n);
  }
}

}  // namespace keyroll::rotation::detail
