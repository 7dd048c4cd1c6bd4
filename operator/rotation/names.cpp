// names.cpp — character-level validators; no regex (predictable cost on huge input).
#include "operator/rotation/names.h"

#include <cstdint>

namespace keyroll::rotation {
namespace {

bool LowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool Alnum(char c) { return LowerAlnum(c) || (c >= 'A' && c <= 'Z'); }

std::optional<std::string> TooLong(std::string_view s, size_t max) {
  if (s.size() > max) return "must be no more than " + std::to_string(max) + " characters";
  return std::nullopt;
}

}  // namespace

std::optional<std::string> CheckDnsLabel(std::string_view s) {
  if (s.empty()) return "must not be empty";
  if (auto e = TooLong(s, 63)) return e;
  for (char c : s)
    if (!LowerAlnum(c) && c != '-')
      return "must consist of lowercase letters, digits and '-' (RFC 1123 label)";
  if (!LowerAlnum(s.front()) || !LowerAlnum(s.back()))
    return "must start and end with a lowercase letter or digit (RFC 1123 label)";
  return std::nullopt;
}

std::optional<std::string> CheckDnsSubdomain(std::string_view s) {
  if (s.empty()) return "must not be empty";
  if (auto e = TooLong(s, 253)) return e;
  for (char c : s)
    if (!LowerAlnum(c) && c != '-' && c != '.')
      return "must consist of lowercase letters, digits, '-' and '.' (RFC 1123 subdomain)";
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == '.') {
      std::string_view part = s.substr(start, i - start);
      if (part.empty() || !LowerAlnum(part.front()) || !LowerAlnum(part.back()))
        return "each dot-separated part must start and end with a lowercase letter or digit "
               "(RFC 1123 subdomain)";
      start = i + 1;
    }
  }
  return std::nullopt;
}

std::optional<std::string> CheckSecretDataKey(std::string_view s) {
  if (s.empty()) return "must not be empty";
  if (auto e = TooLong(s, 253)) return e;
  if (s == "." || s == "..") return "must not be '.' or '..'";
  for (char c : s)
    if (!Alnum(c) && c != '-' && c != '_' && c != '.')
      return "must consist of letters, digits, '-', '_' and '.' (a Secret data key)";
  return std::nullopt;
}

std::optional<std::string> CheckQualifiedName(std::string_view s) {
  if (s.empty()) return "must not be empty";
  std::string_view name = s;
  if (auto slash = s.find('/'); slash != std::string_view::npos) {
    if (auto e = CheckDnsSubdomain(s.substr(0, slash))) return "prefix " + *e;
    name = s.substr(slash + 1);
  }
  if (name.empty()) return "name part must not be empty";
  if (name.size() > 63) return "name part must be no more than 63 characters";
  for (char c : name)
    if (!Alnum(c) && c != '-' && c != '_' && c != '.')
      return "name part must consist of letters, digits, '-', '_' and '.'";
  if (!Alnum(name.front()) || !Alnum(name.back()))
    return "name part must start and end with a letter or digit";
  return std::nullopt;
}

std::optional<std::string> CheckLabelValue(std::string_view s) {
  if (s.empty()) return std::nullopt;
  if (auto e = TooLong(s, 63)) return e;
  for (char c : s)
    if (!Alnum(c) && c != '-' && c != '_' && c != '.')
      return "must consist of letters, digits, '-', '_' and '.' (a label value)";
  if (!Alnum(s.front()) || !Alnum(s.back())) return "must start and end with a letter or digit";
  return std::nullopt;
}

bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<uint8_t>(s[i]);
    size_t n;
    uint32_t cp;
    if (c < 0x80) { ++i; continue; }
    if ((c & 0xE0) == 0xC0) { n = 1; cp = c & 0x1F; }
    else if ((c & 0xF0) == 0xE0) { n = 2; cp = c & 0x0F; }
    else if ((c & 0xF8) == 0xF0) { n = 3; cp = c & 0x07; }
    else return false;
    if (i + n >= s.size()) return false;  // truncated sequence
    for (size_t k = 1; k <= n; ++k) {
      auto cc = static_cast<uint8_t>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
      return false;
    i += n + 1;
  }
  return true;
}

std::optional<std::string> CheckFreeText(std::string_view s, size_t max_bytes) {
  if (auto e = TooLong(s, max_bytes)) return e;
  if (!IsValidUtf8(s)) return "must be valid UTF-8";
  for (char c : s)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return "must not contain control characters";
  return std::nullopt;
}

std::optional<std::string> CheckHostPort(std::string_view s) {
  if (s.empty()) return "must not be empty";
  std::string_view host = s;
  if (auto colon = s.rfind(':'); colon != std::string_view::npos) {
    std::string_view port = s.substr(colon + 1);
    if (port.empty() || port.size() > 5) return "port must be 1-65535";
    int p = 0;
    for (char c : port) {
      if (c < '0' || c > '9') return "port must be a number";
      p = p * 10 + (c - '0');
    }
    if (p < 1 || p > 65535) return "port must be 1-65535";
    host = s.substr(0, colon);
  }
  if (auto e = CheckDnsSubdomain(host)) return "host " + *e;
  return std::nullopt;
}

std::optional<std::string> CheckHttpsUrl(std::string_view s) {
  if (auto e = TooLong(s, 2048)) return e;
  constexpr std::string_view kScheme = "https://";
  if (!s.starts_with(kScheme)) return "must be an https:// URL (TLS is always used)";
  std::string_view rest = s.substr(kScheme.size());
  if (rest.find_first_of("?#") != std::string_view::npos)
    return "must not contain a query or fragment";
  if (rest.find('@') != std::string_view::npos) return "must not contain credentials";
  for (char c : rest)
    if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f)
      return "must not contain spaces, control or non-ASCII characters";
  std::string_view authority = rest.substr(0, rest.find('/'));
  if (auto e = CheckHostPort(authority)) return *e;
  return std::nullopt;
}

}  // namespace keyroll::rotation
