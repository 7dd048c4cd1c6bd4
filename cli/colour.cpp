// colour.cpp — see colour.h.
#include "cli/colour.h"

#include <unistd.h>

#include <cstdlib>
#include <cstring>

namespace keyroll::cli {
namespace {

bool enabled = false;

std::string Wrap(const char* code, const std::string& s) {
  return enabled ? std::string("\033[") + code + "m" + s + "\033[0m" : s;
}

}  // namespace

void SetColour(bool on) { enabled = on; }

bool ColourWanted() {
  const char* term = std::getenv("TERM");
  return isatty(STDOUT_FILENO) && !std::getenv("NO_COLOR") && !(term && std::strcmp(term, "dumb") == 0);
}

std::string Green(const std::string& s) { return Wrap("32", s); }
std::string Yellow(const std::string& s) { return Wrap("33", s); }
std::string Red(const std::string& s) { return Wrap("31", s); }

std::string Paint(const std::string& w) {
  if (w == "Ready" || w == "pass" || w == "rotated" || w == "verified" || w == "up to date") return Green(w);
  if (w == "Failed" || w == "Blocked" || w == "hold" || w == "held" || w == "failed" || w == "rejected" ||
      w == "rollout failed" || w == "not found")
    return Red(w);
  return Yellow(w);
}

size_t VisibleLength(const std::string& s) {
  size_t n = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\033') {
      while (i < s.size() && s[i] != 'm') ++i;
      continue;
    }
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) ++n;  // count UTF-8 characters once
  }
  return n;
}

}  // namespace keyroll::cli
