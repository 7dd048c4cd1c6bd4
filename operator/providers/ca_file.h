// ca_file: the text of a CA bundle file (--provider-ca-file), read again only when the file
// changed. Every provider call asks for it (the bundle may rotate, issue 10); reading and
// copying it each time was 2 % of a cold start's CPU (issue 17).
#pragma once

#include <optional>
#include <string>

namespace keyroll::providers {

// The file's text; nullopt when it cannot be read. Thread-safe.
std::optional<std::string> ReadCaFile(const std::string& path);

}  // namespace keyroll::providers
