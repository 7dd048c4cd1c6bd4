#include "tests/fakes/kube/kind_defaults.h"

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
        if (value.is_string()) s["data"][key] = Base64Encode(value.get<std::string>());
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

std::string Base64Encode(const std::string& raw) {
  std::string out;
  size_t i = 0;
  for (; i + 2 < raw.size(); i += 3) {
    uint32_t n = (uint8_t(raw[i]) << 16) | (uint8_t(raw[i + 1]) << 8) | uint8_t(raw[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out += kAlphabet[(n >> s) & 63];
  }
  if (i + 1 == raw.size()) {
    uint32_t n = uint8_t(raw[i]) << 16;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += "==";
  } else if (i + 2 == raw.size()) {
    uint32_t n = (uint8_t(raw[i]) << 16) | (uint8_t(raw[i + 1]) << 8);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += '=';
  }
  return out;
}

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
  (void)current;
  if (IsCore(type, "secrets")) SecretDefaults(object);
  else if (IsCore(type, "namespaces")) NamespaceDefaults(object);
  else if (IsCore(type, "events")) EventDefaults(object);
  else if (type.group == "apps" && type.plural == "deployments") DeploymentDefaults(object);
  else if (type.group == "apiextensions.k8s.io" && type.plural == "customresourcedefinitions") {
    CrdStatus(object);
  }
}

}  // namespace keyroll::fakes
