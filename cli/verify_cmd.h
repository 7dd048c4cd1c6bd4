// verify_cmd: `kubectl keyroll verify NAME --signature SIG --body FILE [--url URL]` — checks
// a QStash delivery (its Upstash-Signature header and body) against the keys in the
// resource's Secret, as the SDKs' Receiver does (operator/providers/qstash/receiver), and
// says which key verified it or why each key refused it. Never prints a key: fingerprints.
#pragma once

#include <optional>
#include <ostream>
#include <string>

#include "cli/session.h"

namespace keyroll::cli {

struct VerifyOptions {
  std::string signature;
  std::string body_file;  // "-": standard input
  std::optional<std::string> url;
};

int RunVerify(const GlobalOptions& options, const std::string& name, const VerifyOptions& verify,
              std::ostream& out);

}  // namespace keyroll::cli
