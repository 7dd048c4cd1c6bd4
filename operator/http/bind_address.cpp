#include "operator/http/bind_address.h"

#include <cctype>

namespace keyroll::http {

std::string BindAddress::ToString() const {
  if (disabled) return "0";
  bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

bool ParseBindAddress(std::string_view text, BindAddress* out, std::string* error) {
  auto fail = [&](const std::string& why) {
    *error = "invalid bind address \"" + std::string(text) + "\": " + why;
    return false;
  };
  if (text == "0") {
    *out = BindAddress{true, "", 0};
    return true;
  }
  std::string host;
  std::string_view port_text;
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string_view::npos) return fail("missing ']'");
    host = std::string(text.substr(1, close - 1));
    if (close + 1 >= text.size() || text[close + 1] != ':') return fail("want [host]:port");
    port_text = text.substr(close + 2);
  } else {
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos) return fail("want host:port, \":port\" or \"0\"");
    host = std::string(text.substr(0, colon));
    if (host.find(':') != std::string::npos) return fail("IPv6 hosts need brackets");
    port_text = text.substr(colon + 1);
  }
  if (port_text.empty() || port_text.size() > 5) return fail("port must be 0-65535");
  int port = 0;
  for (char c : port_text) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return fail("port must be a number");
    port = port * 10 + (c - '0');
  }
  if (port > 65535) return fail("port must be 0-65535");
  for (char c : host) {
    if (std::isspace(static_cast<unsigned char>(c)) || c == '/') return fail("bad host");
  }
  *out = BindAddress{false, host.empty() ? "0.0.0.0" : host, port};
  return true;
}

}  // namespace keyroll::http
