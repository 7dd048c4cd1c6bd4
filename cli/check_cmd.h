// check_cmd: `kubectl keyroll check` — is keyroll usable here? The CRD is installed (which
// versions, Established), the operator runs (its Deployment available, its leader Lease held
// and renewed within its duration), and what the current user may do (SelfSubjectAccessReview
// for the rotate request and for reading Secrets). Exit 0 when all pass, 1 otherwise.
#pragma once

#include <ostream>
#include <string>

#include "cli/session.h"

namespace keyroll::cli {

struct CheckOptions {
  std::string operator_namespace;             // "" = look for the operator's Deployment in every namespace
  std::string lease_name = "keyroll-leader";  // the operator's --leader-election-id default
};

int RunCheck(const GlobalOptions& options, const CheckOptions& check, std::ostream& out);

}  // namespace keyroll::cli
