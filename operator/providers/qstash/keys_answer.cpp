#include "operator/providers/qstash/keys_answer.h"

#include <nlohmann/json.hpp>

#include "operator/providers/scrub.h"

namespace keyroll::providers::qstash {
namespace {

ProviderError Invalid(const std::string& what) {
  return ProviderError{ErrorKind::kInvalidAnswer, "QStash answered with invalid keys: " + what, 200,
                       std::nullopt};
}

// Checks one field; on success stores it in out.
std::optional<ProviderError> TakeKey(const nlohmann::json& doc, const char* name, SecretValue& out) {
  auto it = doc.find(name);
  if (it == doc.end()) return Invalid(std::string("field \"") + name + "\" is missing");
  if (!it->is_string()) {
    return Invalid(std::string("field \"") + name + "\" is a " + it->type_name() + ", not a string");
  }
  const auto& s = it->get_ref<const std::string&>();
  if (s.empty()) return Invalid(std::string("field \"") + name + "\" is empty");
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f) return Invalid(std::string("field \"") + name + "\" contains control characters");
  }
  out = SecretValue(s);
  return std::nullopt;
}

}  // namespace

Result<KeySet> ParseKeysAnswer(std::string_view body) {
  nlohmann::json doc = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Invalid("the body is not JSON (" + std::to_string(body.size()) + " bytes)");
  if (!doc.is_object()) return Invalid(std::string("the body is a JSON ") + doc.type_name() + ", not an object");
  KeySet keys;
  if (auto e = TakeKey(doc, "current", keys.current)) return *e;
  if (auto e = TakeKey(doc, "next", keys.next)) return *e;
  if (keys.current == keys.next) return Invalid("\"current\" and \"next\" are the same key");
  return keys;
}

std::string ErrorMessageFromBody(std::string_view body) {
  nlohmann::json doc = nlohmann::json::parse(body, nullptr, false);
  if (doc.is_object()) {
    auto it = doc.find("error");
    if (it != doc.end() && it->is_string()) return ScrubSecrets(it->get<std::string>());
  }
  return "";
}

}  // namespace keyroll::providers::qstash
