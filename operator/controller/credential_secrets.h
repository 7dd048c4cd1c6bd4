// credential_secrets: the provider credentials Secrets (QStash token, Auth0 client) that
// connects read, kept by namespace/name, so that the reconciles of the next minute make no
// GET: a requeue while the account's read is in flight, the account-conflict check
// connecting older resources, the resource's own reconciles. Concurrent reads of one Secret
// share one GET.
//
// How a changed Secret is seen: credentials Secrets are not watched (a watch of every Secret
// in a namespace costs list/watch permissions on all of them and their memory), so keyroll
// cannot learn a new resourceVersion without a GET. An entry is kept kKeep (60 s) after its
// GET, and dropped at once when the provider refuses the credentials (Unauthorized,
// Forbidden, BadConfig, Credentials: ProviderCache::DropCredentialsIfRefused): a rotated token
// is used at the first reconcile after a minute, or as soon as the old one is refused.
// Missing Secrets and failed GETs are not kept: the next reconcile asks again.
// The values are SecretValue (never logged, formatted or compared in the open).
#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>

#include "operator/kube/client.h"
#include "operator/providers/registry.h"

namespace keyroll::controller {

class CredentialSecrets {
 public:
  explicit CredentialSecrets(kube::Client& client) : client_(client) {}
  static constexpr std::chrono::seconds kKeep{60};

  // Secret `name` of namespace `ns` (`what` names it in messages: "token", "client").
  providers::Result<providers::SecretData> Read(const std::string& ns, const std::string& what,
                                               const std::string& name);
  // Forgets "ns/name", so that the next Read makes a GET.
  void Forget(const std::string& key);
  // Drops entries older than kKeep (they hold credentials).
  void ForgetExpired();
  // GETs made so far (tests: a requeue makes none).
  size_t gets() const;

 private:
  // 10,000 of these live through a cold start: the data is held in place (no shared block)
  // and nothing is kept that no read uses.
  struct Entry {
    bool in_flight = false;  // a GET is on its way; others wait for it
    bool kept = false;       // data holds the Secret as read at `read`
    providers::SecretData data;
    std::chrono::steady_clock::time_point read;
  };
  providers::Result<providers::SecretData> Get(const std::string& ns, const std::string& what,
                                              const std::string& name);
  void ForgetExpiredLocked(std::chrono::steady_clock::time_point now);

  kube::Client& client_;
  mutable std::mutex mu_;
  std::condition_variable landed_;
  std::map<std::string, Entry> entries_;  // "ns/name"
  std::chrono::steady_clock::time_point swept_;
  size_t gets_ = 0;
};

}  // namespace keyroll::controller
