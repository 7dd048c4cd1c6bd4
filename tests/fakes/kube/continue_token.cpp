#include "tests/fakes/kube/continue_token.h"

#include <cstring>

#include <nlohmann/json.hpp>

#include "tests/fakes/kube/api_error.h"

namespace keyroll::fakes {
namespace {

const char kUrlAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string RawUrlEncode(const std::string& in) {
  std::string out;
  uint32_t buf = 0;
  int bits = 0;
  for (unsigned char c : in) {
    buf = (buf << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += kUrlAlphabet[(buf >> bits) & 63];
    }
  }
  if (bits > 0) out += kUrlAlphabet[(buf << (6 - bits)) & 63];
  return out;
}

bool RawUrlDecode(const std::string& in, std::string* out) {
  uint32_t buf = 0;
  int bits = 0;
  for (char c : in) {
    if (c == '=') break;
    const char* p = strchr(kUrlAlphabet, c);
    if (!p || c == '\0') return false;
    buf = (buf << 6) | static_cast<uint32_t>(p - kUrlAlphabet);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      *out += static_cast<char>((buf >> bits) & 0xff);
    }
  }
  return true;
}

}  // namespace

std::string EncodeContinue(const ContinueToken& token) {
  // Key order as the real server writes it (ordered_json keeps insertion order).
  nlohmann::ordered_json j = {{"v", "meta.k8s.io/v1"}, {"rv", token.rv}, {"start", token.start}};
  return RawUrlEncode(j.dump());
}

ContinueToken DecodeContinue(const std::string& text) {
  std::string raw;
  if (!RawUrlDecode(text, &raw)) throw BadRequest("continue key is not valid: illegal base64 data");
  try {
    auto j = nlohmann::json::parse(raw);
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
