// errors: how a command fails — one line for the user and a documented exit code
// (README "kubectl keyroll"). Commands throw CliError; main prints it and exits.
#pragma once

#include <stdexcept>
#include <string>

#include "operator/kube/errors.h"

namespace keyroll::cli {

// Exit codes (documented in the README and `kubectl keyroll --help`).
enum ExitCode : int {
  kExitOk = 0,
  kExitError = 1,      // anything not listed below
  kExitUsage = 2,      // bad flags or arguments
  kExitNotFound = 3,   // the resource (or its namespace) does not exist
  kExitForbidden = 4,  // RBAC refused a read or write, or credentials were refused
  kExitNoCluster = 5,  // no kubeconfig, or the API server cannot be reached
  kExitHeld = 6,       // rotate --wait: the gate holds the rotation (why is printed)
  kExitFailed = 7,     // rotate --wait: the rotation failed
  kExitTimeout = 8,    // rotate --wait: neither rotated nor held in time
  kExitRejected = 9,   // verify: no key in the Secret verifies the delivery
};

struct CliError : std::runtime_error {
  CliError(int exit_code, const std::string& message) : std::runtime_error(message), code(exit_code) {}
  int code;
};

// One line for a failed API call about `what` (e.g. "SigningKeyRotation \"a\" in \"ns\"").
CliError FromKube(const kube::KubeError& error, const std::string& what);
// The same for a SigningKeyRotation request: a 404 that names no object means the API server
// does not serve the resource at all (the CRD is not installed).
CliError FromKubeSkr(const kube::KubeError& error, const std::string& what);

}  // namespace keyroll::cli
