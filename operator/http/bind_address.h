// bind_address: controller-runtime style listen addresses: ":8080" (all interfaces),
// "127.0.0.1:0" (any free port), "[::1]:9090", and "0" meaning "serve nothing".
#pragma once

#include <string>
#include <string_view>

namespace keyroll::http {

struct BindAddress {
  bool disabled = false;   // the flag said "0"
  std::string host;        // "0.0.0.0" for ":port"
  int port = 0;            // 0: let the kernel choose

  std::string ToString() const;  // "host:port" ("[v6]:port"), or "0" when disabled
};

// Returns false with a message in *error for anything that is not "0" or host:port.
bool ParseBindAddress(std::string_view text, BindAddress* out, std::string* error);

}  // namespace keyroll::http
