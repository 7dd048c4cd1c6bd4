#include "tests/fakes/kube/continue_token.h"

#include <optional>

#include <nlohmann/json.hpp>

#include "operator/base/encoding.h"
#include "tests/fakes/kube/api_error.h"

namespace keyroll::fakes {
std::string EncodeContinue(const ContinueToken& token) {
  // Key order as the real server writes it (ordered_json keeps insertion order).
  nlohmann::ordered_json j = {{"v", "meta.k8s.io/v1"}, {"rv", token.rv}, {"start", token.start}};
  return base::Base64UrlEncode(j.dump(), false);  // Go's RawURLEncoding
}

ContinueToken DecodeContinue(const std::string& text) {
  std::optional<std::string> raw = base::Base64UrlDecode(text);
  if (!raw) throw BadRequest("continue key is not valid: illegal base64 data");
  try {
    auto j = nlohmann::json::parse(*raw);
    if (j.value("v", "") != "meta.k8s.io/v1") {
      throw BadRequest("continue key is not valid: server does not recognize this encoded key");
    }
    ContinueToken t;
    t.rv = j.at("rv").get<int64_t>();
    t.start = j.at("start").get<std::string>();
    return t;
  } catch (const nlohmann::json::exception&) {
    throw BadRequest("continue key is not valid: invalid character in continue key");
  }
}

}  // namespace keyroll::fakes
