#include "tests/fakes/kube/object_rules.h"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <random>
#include <regex>

#include "tests/fakes/kube/api_error.h"
#include "tests/fakes/kube/json_compare.h"
#include "tests/fakes/kube/kind_defaults.h"

namespace keyroll::fakes {
namespace {

std::mt19937_64& Rng() {
  thread_local std::mt19937_64 rng(std::random_device{}());
  return rng;
}

const char* kSubdomainMessage =
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used "
    "for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const char* kLabelMessage =
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and "
    "must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex "
    "used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

void ValidateName(const ResourceType& type, const std::string& name) {
  static const std::regex subdomain("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  static const std::regex label("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  bool is_label = type.plural == "namespaces" && type.group.empty();
  size_t max = is_label ? 63 : 253;
  std::string problem;
  if (name.size() > max) {
    problem = "must be no more than " + std::to_string(max) + " characters";
  } else if (!std::regex_match(name, is_label ? label : subdomain)) {
    problem = is_label ? kLabelMessage : kSubdomainMessage;
  }
  if (problem.empty()) return;
  std::string value = json(name).dump();
  throw Invalid(type.kind, type.group, name,
                {"FieldValueInvalid", "Invalid value: " + value + ": " + problem, "metadata.name"});
}

std::string RandomSuffix() {
  // The alphabet Kubernetes uses for generateName (no vowels, no confusable characters).
  static const char alphabet[] = "bcdfghjklmnpqrstvwxz2456789";
  std::string s;
  for (int i = 0; i < 5; ++i) s += alphabet[Rng()() % (sizeof alphabet - 1)];
  return s;
}

// Whether object already has the kind and apiVersion `type` is served with at `version`.
bool IsServed(const ResourceType& type, const std::string& version, const json& object) {
  auto says = [&](const char* key, const std::string& want) {
    auto it = object.find(key);
    return it != object.end() && it->is_string() && it->get_ref<const std::string&>() == want;
  };
  return object.is_object() && says("kind", type.kind) && says("apiVersion", type.ApiVersion(version));
}

// Whether a change from `before` to `after` moves metadata.generation: a change of anything
// but metadata, kind, apiVersion and (with a status subresource) status.
bool GenerationFieldsDiffer(const ResourceType& type, const json& after, const json& before) {
  return !MembersEqualExcept(after, before, [&](const std::string& key) {
    return key == "metadata" || key == "kind" || key == "apiVersion" || (type.has_status && key == "status");
  });
}

// Decoding a custom resource: unknown fields pruned (each a warning, as with the default
// fieldValidation=Warn), non-nullable nulls dropped, schema defaults applied.
// fieldValidation=Strict makes them a 400 instead.
void DecodeCustom(const ResourceType& type, const std::string& version, json& object) {
  const CrdSchema* schema = type.SchemaFor(version);
  if (!schema) return;
  std::string unknown;
  for (const auto& path : schema->PruneAndDefault(object)) {
    std::string what = "unknown field \"" + path + "\"";
    PendingWarnings().push_back(what);
    unknown += (unknown.empty() ? "" : ", ") + what;
  }
  if (!unknown.empty() && StrictFieldValidation()) throw BadRequest("strict decoding error: " + unknown);
}

// Schema validation of what would be stored; a 422 with every cause otherwise.
void ValidateCustom(const ResourceType& type, const std::string& version, const json& object) {
  const CrdSchema* schema = type.SchemaFor(version);
  if (!schema) return;
  auto causes = schema->Validate(object);
  if (!causes.empty()) throw Invalid(type.kind, type.group, object["metadata"].value("name", ""), causes);
}

}  // namespace

std::vector<std::string>& PendingWarnings() {
  thread_local std::vector<std::string> warnings;
  return warnings;
}

bool& StrictFieldValidation() {
  thread_local bool strict = false;
  return strict;
}

std::string NewUid() {
  unsigned char b[16];
  for (auto& c : b) c = static_cast<unsigned char>(Rng()());
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  char out[37];
  std::snprintf(out, sizeof out,
                "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
                b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
                b[15]);
  return out;
}

std::string NowRfc3339() {
  std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  char out[32];
  std::strftime(out, sizeof out, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return out;
}

json ParseObjectBody(const ResourceType& type, const std::string& body) {
  std::string prefix = "the object provided is unrecognized (must be of type " + type.kind +
                       "): couldn't get version/kind; json parse error: ";
  std::string shown = body.size() > 200 ? body.substr(0, 200) + "..." : body;
  json parsed;
  try {
    parsed = json::parse(body);
  } catch (const json::parse_error& e) {
    std::string why = e.byte >= body.size() ? "unexpected end of JSON input"
                                            : "invalid character looking for beginning of value";
    throw BadRequest(prefix + why + " (" + shown + ")");
  }
  if (!parsed.is_object()) {
    throw BadRequest(prefix + "json: cannot unmarshal " + std::string(parsed.type_name()) +
                     " into Go value of type struct { APIVersion string \"json:\\\"apiVersion,omitempty\\\"\"; Kind string \"json:\\\"kind,omitempty\\\"\" }");
  }
  if (parsed.contains("kind") && parsed["kind"].is_string() && parsed["kind"] != type.kind) {
    std::string kind = parsed["kind"];
    throw BadRequest(kind + " in version \"" + type.versions.front() +
                     "\" cannot be handled as a " + type.kind + ": the body's kind is not " +
                     type.kind);
  }
  if (parsed.contains("metadata") && !parsed["metadata"].is_object()) {
    throw BadRequest("metadata must be an object");
  }
  return parsed;
}

json AsServed(const ResourceType& type, const std::string& version, json object) {
  object["kind"] = type.kind;
  object["apiVersion"] = type.ApiVersion(version);
  return object;
}

std::string ServedText(const ResourceType& type, const std::string& version, const json& object) {
  return ServedText(type, version, object, nullptr);
}

std::string ServedText(const ResourceType& type, const std::string& version, const json& object,
                       const std::string* recorded) {
  if (!IsServed(type, version, object)) return AsServed(type, version, object).dump();
  return recorded ? *recorded : object.dump();
}

json PrepareCreate(const ResourceType& type, const std::string& version, const std::string& url_ns,
                   json object) {
  object = AsServed(type, version, std::move(object));
  DecodeCustom(type, version, object);
  json& meta = object["metadata"];
  if (!meta.is_object()) meta = json::object();
  std::string ns = meta.value("namespace", "");
  if (type.namespaced) {
    if (!ns.empty() && ns != url_ns) {
      throw BadRequest("the namespace of the provided object does not match the namespace sent "
                       "on the request");
    }
    meta["namespace"] = url_ns;
  } else {
    meta.erase("namespace");
  }
  std::string name = meta.value("name", "");
  if (name.empty() && meta.value("generateName", "") != "") {
    name = meta.value("generateName", "") + RandomSuffix();
    meta["name"] = name;
  }
  if (name.empty()) {
    throw Invalid(type.kind, type.group, "",
                  {"FieldValueRequired", "Required value: name or generateName is required",
                   "metadata.name"});
  }
  ValidateName(type, name);
  meta["uid"] = NewUid();
  meta["creationTimestamp"] = NowRfc3339();
  meta.erase("resourceVersion");
  meta.erase("deletionTimestamp");
  meta.erase("managedFields");
  if (type.has_generation) meta["generation"] = 1;
  else meta.erase("generation");
  // Creating ignores status: custom resources start without one, built-ins with an empty one.
  if (type.has_status) {
    if (type.custom) object.erase("status");
    else object["status"] = json::object();
  }
  ApplyKindDefaults(type, object, nullptr);
  ValidateCustom(type, version, object);
  return object;
}

json PrepareUpdate(const ResourceType& type, const std::string& version, const json& current,
                   json incoming, bool status_only) {
  std::string want_rv = incoming.contains("metadata") && incoming["metadata"].is_object()
                            ? incoming["metadata"].value("resourceVersion", "")
                            : "";
  const json& cur_meta = current["metadata"];
  if (!want_rv.empty() && want_rv != cur_meta.value("resourceVersion", "")) {
    throw Conflict({type.plural, type.group, cur_meta.value("name", "")});
  }
  DecodeCustom(type, version, incoming);
  if (status_only) {
    json next = current;
    if (incoming.contains("status")) next["status"] = std::move(incoming["status"]);
    else next.erase("status");
    next = AsServed(type, version, std::move(next));
    ValidateCustom(type, version, next);
    return next;
  }
  json next = AsServed(type, version, std::move(incoming));
  json& meta = next["metadata"];
  if (!meta.is_object()) meta = json::object();
  std::string name = cur_meta.value("name", "");
  if (meta.contains("name") && meta["name"] != name) {
    throw BadRequest("the name of the object (" + meta["name"].get<std::string>() +
                     ") does not match the name on the URL (" + name + ")");
  }
  if (type.namespaced && meta.contains("namespace") &&
      meta["namespace"] != cur_meta.value("namespace", "")) {
    throw BadRequest("the namespace of the provided object does not match the namespace sent "
                     "on the request");
  }
  for (const char* keep : {"name", "namespace", "uid", "creationTimestamp", "deletionTimestamp"}) {
    if (cur_meta.contains(keep)) meta[keep] = cur_meta[keep];
    else meta.erase(keep);
  }
  meta.erase("resourceVersion");
  meta.erase("managedFields");
  if (type.has_status) {
    if (current.contains("status")) next["status"] = current["status"];
    else next.erase("status");
  }
  ApplyKindDefaults(type, next, &current);
  if (type.has_generation) {
    int64_t gen = cur_meta.value("generation", int64_t{1});
    if (GenerationFieldsDiffer(type, next, current)) ++gen;
    meta["generation"] = gen;
  } else {
    meta.erase("generation");
  }
  ValidateCustom(type, version, next);
  return next;
}

}  // namespace keyroll::fakes
