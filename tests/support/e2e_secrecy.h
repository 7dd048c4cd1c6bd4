// e2e_secrecy: SecrecyScanner checks that no key or token issued by the fakes shows up
// where it must not: keyroll's logs, Events, SigningKeyRotation status, metrics, and (also
// base64-encoded) any object in the namespace other than Secrets. Findings name the place
// and the secret's index, never the secret itself.
#pragma once

#include <string>
#include <vector>

#include "operator/kube/client.h"

namespace keyroll::testing {

class SecrecyScanner {
 public:
  explicit SecrecyScanner(std::vector<std::string> secrets);

  // Every secret (and its base64 form) found in `text`, as "<where>: secret #i[ (base64)]".
  std::vector<std::string> Scan(const std::string& where, const std::string& text) const;
  // Scans Events, SKRs (whole objects, so status too), Deployments and ConfigMaps of `ns`.
  std::vector<std::string> ScanNamespace(kube::Client& client, const std::string& ns) const;

 private:
  std::vector<std::string> secrets_;
};

}  // namespace keyroll::testing
