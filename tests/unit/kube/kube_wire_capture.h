// kube_wire_capture: reads a capture from tests/unit/testdata/k8s-wire/ (copied from
// shared/k8s-wire: a '#' request line, the status line, headers, a blank line, the body).
#pragma once

#include <fstream>
#include <map>
#include <sstream>
#include <string>

namespace keyroll::kube::testing {

struct WireCapture {
  int status = 0;
  std::map<std::string, std::string> headers;
  std::string body;
};

inline WireCapture LoadCapture(const std::string& name) {
  std::ifstream in(std::string(KEYROLL_SOURCE_DIR) + "/tests/unit/testdata/k8s-wire/" + name);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  WireCapture c;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (!line.empty() && line[0] == '#') continue;
    if (line.rfind("HTTP/1.1 ", 0) == 0) {
      c.status = std::stoi(line.substr(9, 3));
      continue;
    }
    if (line.empty() || line == "\r") break;
    if (auto colon = line.find(':'); colon != std::string::npos) {
      c.headers[line.substr(0, colon)] = line.substr(colon + 2);
    }
  }
  std::stringstream rest;
  rest << lines.rdbuf();
  c.body = rest.str();
  return c;
}

// The events of watch-stream.txt (a comment line, then one event per line), each with its
// newline.
inline std::string CaptureWatchEvents() {
  std::ifstream in(std::string(KEYROLL_SOURCE_DIR) + "/tests/unit/testdata/k8s-wire/watch-stream.txt");
  std::string line, out;
  while (std::getline(in, line)) {
    if (!line.empty() && line[0] == '{') out += line + "\n";
  }
  return out;
}

}  // namespace keyroll::kube::testing
