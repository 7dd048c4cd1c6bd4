#include "operator/providers/scrub.h"

#include <algorithm>
#include <regex>

namespace keyroll::providers {
namespace {

std::string ReplaceAll(std::string text, const std::string& needle) {
  if (needle.empty()) return text;
  std::size_t pos = 0;
  while ((pos = text.find(needle, pos)) != std::string::npos) {
    text.replace(pos, needle.size(), kRedacted);
    pos += kRedacted.size();
  }
  return text;
}

const std::vector<std::pair<std::regex, std::string>>& Patterns() {
  static const std::vector<std::pair<std::regex, std::string>> patterns = [] {
    auto icase = std::regex::ECMAScript | std::regex::icase;
    std::vector<std::pair<std::regex, std::string>> p;
    p.emplace_back(std::regex(R"((bearer|basic)\s+[^\s"',;]+)", icase), "$1 [REDACTED]");
    p.emplace_back(std::regex(R"(((?:qstash_)?token|secret|password|key)(["']?\s*[=:]\s*["']?)[^\s"'&,;]+)", icase),
                   "$1$2[REDACTED]");
    p.emplace_back(std::regex(R"(sig_[A-Za-z0-9]+)"), "[REDACTED]");
    p.emplace_back(std::regex(R"(eyJ[A-Za-z0-9_\-\.=]+)"), "[REDACTED]");
    p.emplace_back(std::regex(R"([A-Za-z0-9+/_\-]{24,}={0,2})"), "[REDACTED]");
    return p;
  }();
  return patterns;
}

}  // namespace

std::string ScrubSecrets(std::string_view text, const std::vector<const SecretValue*>& known_secrets,
                         std::size_t max_length) {
  std::string out(text);
  // Longest first, so a secret that contains another is replaced whole.
  std::vector<const std::string*> secrets;
  for (const SecretValue* s : known_secrets) {
    if (s != nullptr && !s->empty()) secrets.push_back(&s->reveal());
  }
  std::sort(secrets.begin(), secrets.end(), [](auto* a, auto* b) { return a->size() > b->size(); });
  for (const std::string* s : secrets) out = ReplaceAll(std::move(out), *s);
  for (const auto& [re, replacement] : Patterns()) out = std::regex_replace(out, re, replacement);
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  }
  if (out.size() > max_length) out = out.substr(0, max_length) + "...";
  return out;
}

}  // namespace keyroll::providers
