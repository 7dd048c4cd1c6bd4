// Fuzzes the Auth0 token answer (client-credentials grant) parser. Properties:
//   - an accepted answer has a non-empty token a header can carry, 0 < expires_in <= 10
//     years, and a refresh margin of at most 60 s and a tenth of the lifetime;
//   - a refused JSON object names the field at fault (access_token, expires_in or
//     token_type) and never quotes the token it held.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "operator/providers/auth0/token.h"

namespace auth0 = keyroll::providers::auth0;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  auto answer = auth0::ParseTokenAnswer(body);
  if (answer) {
    const std::string& token = answer->access_token.reveal();
    if (token.empty()) __builtin_trap();
    for (unsigned char c : token)
      if (c <= 0x20 || c >= 0x7f) __builtin_trap();
    auto life = answer->expires_in;
    if (life.count() <= 0 || life.count() > 10LL * 365 * 86400) __builtin_trap();
    auto margin = auth0::RefreshMargin(life);
    if (margin.count() < 0 || margin > std::chrono::seconds(60) || margin > life / 10) __builtin_trap();
    return 0;
  }
  auto doc = nlohmann::json::parse(body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return 0;
  const std::string& message = answer.error().message;
  if (message.find("access_token") == std::string::npos && message.find("expires_in") == std::string::npos &&
      message.find("token_type") == std::string::npos)
    __builtin_trap();  // the error does not say which field
  // (A token that is a piece of the fixed wording, like "token", proves nothing.)
  static const std::string kWording =
      "Auth0 answered the token request with an unusable token: the body is not JSON bytes a JSON , not an "
      "object \"access_token\" is missing or not a non-empty string contains characters a header cannot carry "
      "\"expires_in\" is missing or not a positive number of seconds \"token_type\" is not Bearer";
  auto token = doc.find("access_token");
  if (token != doc.end() && token->is_string()) {
    const std::string& t = token->get_ref<const std::string&>();
    if (t.size() >= 4 && kWording.find(t) == std::string::npos && message.find(t) != std::string::npos)
      __builtin_trap();  // the error quotes the token
  }
  return 0;
}
