// provider_cache: the controller's view of the provider accounts. Connects a Provider client
// per SigningKeyRotation through the provider registry (providers/registry.h: each provider
// reads its own credentials Secret, from the resource's own namespace only, and builds its
// client; this file names no provider), shares one read per provider account however many
// resources use it, keeps the latest raw KeySet per account (the only place key material is
// held between reconciles) so the Secret write can use it, and counts every HTTP request into
// keyroll_provider_requests_total.
//
// Isolation (docs/provider-isolation.md): a provider read never runs on a reconcile worker.
// ReadBounded starts the account's read on ProviderIo (one read in flight per account, shared
// by all its resources) and waits for it only briefly (100 ms, and only for a read it starts
// on an account that has not been failing); a read still in flight answers
// `pending` and the resource is woken (SetWake) when it lands. An account whose reads keep
// failing is a broken circuit: until its retry time it fails at once with its last error
// (the message says when keyroll tries again), 5 s after the first failure, doubling to 5 min.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "operator/controller/credential_secrets.h"
#include "operator/controller/provider_io.h"
#include "operator/http/metrics.h"
#include "operator/kube/client.h"
#include "operator/providers/provider.h"
#include "operator/providers/registry.h"
#include "operator/rotation/observed.h"
#include "operator/rotation/result.h"
#include "operator/rotation/spec.h"

namespace keyroll::controller {

struct ProviderCacheOptions {
  std::string ca_file;  // extra CA bundle for provider HTTPS (--provider-ca-file)
  // Well under rotation::kPendingSettle (120 s): a lost rotate must have landed or died by then.
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds read_timeout{10000};
  // How long a reconcile waits for its account's read before it lets go of the worker.
  // Only for a read it starts itself on an account that has not been failing, and not while
  // another provider call hangs (ProviderIo::Hanging).
  std::chrono::milliseconds read_wait{100};
  // Where provider calls run (ProviderIo: slots, the reserve of healthy accounts, when a
  // call turns slow and gives its slot up).
  ProviderIo::Limits io;
};

// What ReadBounded found.
struct ProviderRead {
  rotation::ObservedProvider observed;  // unset when pending
  bool pending = false;  // the account's read is still in flight; the key is woken when it lands
  // The circuit is open: no read before this long (observed holds the last error).
  std::optional<std::chrono::milliseconds> retry_in;
};

// A connected provider for one reconcile, or why there is none.
struct ProviderHandle {
  std::shared_ptr<providers::Provider> provider;      // null when `error` is set
  std::optional<rotation::ProviderError> error;       // e.g. Credentials: token Secret missing
  std::string account_id;                             // "" without a provider
};

class ProviderCache {
 public:
  ProviderCache(kube::Client& client, ProviderCacheOptions options, http::Metrics* metrics);
  ~ProviderCache();  // reads still in flight finish on their own and are dropped
  ProviderCache(const ProviderCache&) = delete;
  ProviderCache& operator=(const ProviderCache&) = delete;

  // Called (from a provider thread) with each resource key that waited on a read that landed.
  void SetWake(std::function<void(const std::string&)> wake);

  // Builds the client for `resource_key` ("ns/name") from its spec through the registry. The
  // credentials Secrets are kept a minute (CredentialSecrets): the account-conflict check, a
  // requeue and the resource's own reconciles connect the same resource several times within
  // seconds. A changed token is seen at the first reconcile after that — or at once when the
  // provider refuses the old one (a refusal drops the account's Secrets).
  ProviderHandle Connect(const std::string& ns, const std::string& resource_key, const rotation::Spec& spec);
  static constexpr std::chrono::seconds kConnectReuse = CredentialSecrets::kKeep;
  // Drops the credentials read longer than kConnectReuse ago.
  void ForgetExpiredConnects();
  // GETs of credentials Secrets made so far.
  size_t credential_gets() const { return credentials_.gets(); }

  // The latest read known for the handle's account (or, without one, this resource's own
  // last failed attempt).
  rotation::ObservedProvider Latest(const std::string& resource_key, const ProviderHandle& handle);

  // Reads the keys unless a read newer than `seen` already exists (another resource of the
  // same account made it meanwhile). `now` is the time recorded as read_at. Waits for the
  // read however long it takes (the CLI); the reconciler uses ReadBounded.
  rotation::ObservedProvider Read(const std::string& resource_key, const ProviderHandle& handle,
                                  std::optional<rotation::Time> seen,
                                  const std::function<rotation::Time()>& now);
  // As Read, but waits at most options.read_wait, and fails at once while the account's
  // circuit is open (see above).
  ProviderRead ReadBounded(const std::string& resource_key, const ProviderHandle& handle,
                           std::optional<rotation::Time> seen, const std::function<rotation::Time()>& now);
  // Circuit breaker: the wait before the next read after `failures` failed ones in a row.
  static std::chrono::seconds RetryDelay(int failures);

  // The raw keys of the account if they are exactly `keys` (same keysHash, extra entries
  // and kids), else nullopt.
  std::optional<providers::KeySet> RawKeys(const ProviderHandle& handle, const rotation::ProviderKeys& keys);

  // Rotate and revoke run on provider threads too (docs/provider-isolation.md), one call per
  // resource at a time. What a reconcile finds of its resource's call: still in flight (decide
  // nothing until it lands), or landed after the reconcile that started it let go (returned
  // once, then forgotten).
  struct Call {
    bool in_flight = false;
    std::optional<rotation::RotateOutcome> rotate;
    std::optional<rotation::RevokeOutcome> revoke;
  };
  Call TakeCall(const std::string& resource_key);
  // Calls rotate exactly once (never retried) on a provider thread, records the answer as the
  // account's latest read, and waits for it as ReadBounded waits for a read (options.read_wait,
  // only on an account that has not been failing). nullopt: still in flight; the key is woken
  // when it lands and TakeCall gives its outcome.
  std::optional<rotation::RotateOutcome> RotateBounded(const std::string& resource_key, const ProviderHandle& handle,
                                                       const std::function<rotation::Time()>& now);
  // Revokes the previous key if it is `kid`, exactly once, the same way; records the keys read
  // afterwards (on an error: forgets the account's read, so the next decision re-reads).
  std::optional<rotation::RevokeOutcome> RevokeBounded(const std::string& resource_key, const ProviderHandle& handle,
                                                       const std::string& kid,
                                                       const std::function<rotation::Time()>& now);

  void Forget(const std::string& resource_key);

 private:
  // The latest read of one account. Its keys are not kept twice: when the read returned
  // keys, they are those of `raw`, and their fingerprints are computed again when asked for
  // (a few microseconds; 10,000 accounts: 3 MB less).
  struct Account {
    std::mutex io_mu;  // one provider call at a time per account (held during the call)
    std::mutex mu;     // guards the rest; never held during a provider call
    std::condition_variable landed;  // a read finished (in_flight went false)
    bool in_flight = false;
    // Vectors, not sets: mostly empty or one entry, and 10,000 accounts (issue 17: peak RSS).
    std::vector<std::string> waiting;  // resource keys to wake when the read in flight lands
    int failures = 0;               // failed reads in a row
    std::optional<rotation::Time> retry_at;  // circuit open until then
    std::optional<rotation::Time> read_at;
    std::optional<rotation::ProviderError> error;
    bool keys_read = false;
    std::optional<providers::KeySet> raw;  // the last good keys (kept when a later read fails)
    std::vector<std::string> credential_secrets;  // "ns/name" of the Secrets its connects read
    rotation::ObservedProvider Observed() const;
    // `o.keys`, when set, must be KeysOf(*raw).
    void Record(const rotation::ObservedProvider& o);
  };
  std::shared_ptr<Account> AccountFor(const std::string& id);
  // What a finished read and a woken resource may touch after the cache is gone: nothing
  // once `closed` (set by the destructor under `mu`).
  struct Sink {
    std::mutex mu;
    bool closed = false;
    http::Metrics* metrics = nullptr;
    std::function<void(const std::string&)> wake;
  };
  // Starts the account's read on io_ unless one is in flight; with account->mu held.
  void StartRead(const std::shared_ptr<Account>& account, const ProviderHandle& handle,
                 const std::function<rotation::Time()>& now);
  // The read's answer into the account, the circuit, the waiting keys woken.
  void Landed(const std::shared_ptr<Account>& account,
              providers::Result<providers::KeySet> keys, rotation::Time at);
  ProviderHandle Connected(const std::string& resource_key, std::shared_ptr<providers::Provider> provider);
  // A rotate or revoke on its way (guarded by mu_).
  struct Pending {
    bool landed = false;
    bool let_go = false;  // its reconcile stopped waiting: wake the key when it lands
    std::optional<rotation::RotateOutcome> rotate;
    std::optional<rotation::RevokeOutcome> revoke;
  };
  // Runs `io` (the provider call) on a provider thread for `resource_key`, then `record` (its
  // answer into the account and `pending`) while the cache is alive; waits as ReadBounded
  // does. True when it landed in time.
  bool RunCall(const std::string& resource_key, const std::shared_ptr<Account>& account, std::function<void()> io,
               std::function<void(Pending&)> record, std::shared_ptr<Pending>* pending);
  rotation::RotateOutcome RecordRotate(const std::shared_ptr<Account>& account,
                                       providers::Result<providers::KeySet> keys, rotation::Time now);
  rotation::RevokeOutcome RecordRevoke(const std::shared_ptr<Account>& account, const std::string& kid,
                                       providers::Result<providers::RevokeOutcome> done, rotation::Time now);
  // After the provider refused an account's credentials: read its Secrets afresh.
  void DropCredentialsIfRefused(const std::shared_ptr<Account>& account,
                                const std::optional<rotation::ProviderError>& error);
  providers::RequestObserver ObserverFor(const std::string& provider) const;

  ProviderCacheOptions options_;
  providers::ClientSettings settings_;
  providers::Registry registry_;
  CredentialSecrets credentials_;
  http::Metrics* metrics_;
  std::shared_ptr<Sink> sink_;
  ProviderIo io_;
  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<Account>> accounts_;         // by account id
  std::map<std::string, rotation::ObservedProvider> resource_errors_;  // resource key -> last failure
  std::map<std::string, std::shared_ptr<Pending>> calls_;  // resource key -> its rotate/revoke
  std::condition_variable call_landed_;                    // with mu_
};

// providers::ErrorKind as the core's ProviderErrorKind.
rotation::ProviderErrorKind ToRotationKind(providers::ErrorKind kind);
// The fingerprints and keysHash of a raw key set.
rotation::ProviderKeys KeysOf(const providers::KeySet& keys);

}  // namespace keyroll::controller
