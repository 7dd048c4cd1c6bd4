#include "tests/fakes/kube/yaml_json.h"

#include <regex>
#include <stdexcept>

#include <yaml-cpp/yaml.h>

namespace keyroll::fakes {
namespace {

using json = nlohmann::json;

json Scalar(const YAML::Node& node) {
  const std::string& s = node.Scalar();
  if (node.Tag() == "!") return s;  // quoted: always a string
  static const std::regex integer("[-+]?[0-9]+");
  static const std::regex number("[-+]?([0-9]*\\.[0-9]+|[0-9]+\\.[0-9]*)([eE][-+]?[0-9]+)?");
  if (s == "true" || s == "True") return true;
  if (s == "false" || s == "False") return false;
  if (s == "null" || s == "~" || s.empty()) return nullptr;
  if (std::regex_match(s, integer)) {
    try {
      return std::stoll(s);
    } catch (...) {
      return s;
    }
  }
  if (std::regex_match(s, number)) return std::stod(s);
  return s;
}

json ToJson(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      json o = json::object();
      for (const auto& kv : node) o[kv.first.as<std::string>()] = ToJson(kv.second);
      return o;
    }
    case YAML::NodeType::Sequence: {
      json a = json::array();
      for (const auto& e : node) a.push_back(ToJson(e));
      return a;
    }
    case YAML::NodeType::Scalar:
      return Scalar(node);
    default:
      return nullptr;
  }
}

}  // namespace

std::vector<json> ParseYamlDocuments(const std::string& text) {
  std::vector<json> out;
  try {
    for (const auto& doc : YAML::LoadAll(text)) {
      json j = ToJson(doc);
      if (!j.is_null()) out.push_back(std::move(j));
    }
  } catch (const YAML::Exception& e) {
    throw std::runtime_error(std::string("YAML: ") + e.what());
  }
  return out;
}

}  // namespace keyroll::fakes
