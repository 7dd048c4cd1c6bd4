// errors.cpp — see errors.h.
#include "cli/errors.h"

namespace keyroll::cli {

CliError FromKube(const kube::KubeError& e, const std::string& what) {
  using kube::Reason;
  switch (e.reason) {
    case Reason::kNotFound:
      return {kExitNotFound, what + " not found"};
    case Reason::kForbidden:
      return {kExitForbidden, "forbidden: " + e.message};
    case Reason::kUnauthorized:
      return {kExitForbidden, "the API server refused the credentials (401 Unauthorized)"};
    case Reason::kNetwork:
    case Reason::kTls:
    case Reason::kConfig:
      return {kExitNoCluster, "cannot reach the cluster: " + e.message};
    default:
      return {kExitError, what + ": " + e.ToString()};
  }
}

CliError FromKubeSkr(const kube::KubeError& e, const std::string& what) {
  if (kube::IsNotFound(e) && e.name.empty())
    return {kExitNotFound,
            "the API server does not serve signingkeyrotations.keyroll.dev: is keyroll's CRD installed? "
            "(kubectl keyroll check)"};
  return FromKube(e, what);
}

}  // namespace keyroll::cli
