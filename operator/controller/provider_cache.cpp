// provider_cache.cpp — see provider_cache.h.
#include "operator/controller/provider_cache.h"

#include <algorithm>

#include "operator/providers/fingerprint.h"
#include "operator/rotation/decide.h"
#include "operator/rotation/timestamp.h"

namespace keyroll::controller {

using rotation::ProviderErrorKind;

// One provider kind to one core kind: a condition names the cause the client saw.
rotation::ProviderErrorKind ToRotationKind(providers::ErrorKind kind) {
  using providers::ErrorKind;
  switch (kind) {
    case ErrorKind::kUnauthorized: return ProviderErrorKind::Unauthorized;
    case ErrorKind::kForbidden: return ProviderErrorKind::Forbidden;
    case ErrorKind::kRateLimited: return ProviderErrorKind::RateLimited;
    case ErrorKind::kInvalidAnswer: return ProviderErrorKind::InvalidResponse;
    case ErrorKind::kOutcomeUnknown: return ProviderErrorKind::OutcomeUnknown;
    case ErrorKind::kRejected: return ProviderErrorKind::Rejected;
    case ErrorKind::kBadConfig: return ProviderErrorKind::BadConfig;
    case ErrorKind::kCredentials: return ProviderErrorKind::Credentials;
    case ErrorKind::kUnavailable: break;
  }
  return ProviderErrorKind::Unavailable;
}

rotation::ProviderKeys KeysOf(const providers::KeySet& keys) {
  rotation::ProviderKeys out{providers::Fingerprint(keys.current), providers::Fingerprint(keys.next),
                             providers::KeysHash(keys.current, keys.next)};
  for (const auto& [key, value] : keys.extra_data) out.extra_fingerprints[key] = providers::Fingerprint(value);
  auto kid = [&](const char* name) {
    auto it = keys.metadata.find(name);
    return it == keys.metadata.end() ? std::string() : it->second;
  };
  out.current_kid = kid(providers::kCurrentKid);
  out.next_kid = kid(providers::kNextKid);
  out.previous_kid = kid(providers::kPreviousKid);
  return out;
}

namespace {

// A handle that says why there is no provider.
ProviderHandle Failed(ProviderErrorKind kind, std::string message) {
  return {nullptr, rotation::ProviderError{kind, std::move(message)}, ""};
}

void AddOnce(std::vector<std::string>& list, const std::string& item) {
  if (std::find(list.begin(), list.end(), item) == list.end()) list.push_back(item);
}

}  // namespace

providers::RequestObserver ProviderCache::ObserverFor(const std::string& provider) const {
  // Through the sink: a read that lands after shutdown counts nothing.
  std::shared_ptr<Sink> sink = sink_;
  return [sink, provider](std::string_view op, int code) {
    std::lock_guard lock(sink->mu);
    if (!sink->closed && sink->metrics)
      sink->metrics->ProviderRequest(provider, std::string(op), code == 0 ? "error" : std::to_string(code));
  };
}

ProviderHandle ProviderCache::Connected(const std::string& resource_key, std::shared_ptr<providers::Provider> p) {
  ProviderHandle h{p, std::nullopt, p->AccountId()};
  std::lock_guard lock(mu_);
  resource_errors_.erase(resource_key);
  return h;
}

ProviderCache::ProviderCache(kube::Client& client, ProviderCacheOptions options, http::Metrics* metrics)
    : options_(std::move(options)),
      registry_(providers::BuiltinProviders()),
      credentials_(client),
      metrics_(metrics),
      sink_(std::make_shared<Sink>()),
      io_(options_.io) {
  sink_->metrics = metrics;
  settings_.ca_file = options_.ca_file;
  settings_.connect_timeout = options_.connect_timeout;
  settings_.read_timeout = options_.read_timeout;
  settings_.observer = [this](const std::string& provider) { return ObserverFor(provider); };
}

ProviderCache::~ProviderCache() {
  io_.Close();
  std::lock_guard lock(sink_->mu);
  sink_->closed = true;
}

void ProviderCache::SetWake(std::function<void(const std::string&)> wake) {
  std::lock_guard lock(sink_->mu);
  sink_->wake = std::move(wake);
}

std::chrono::seconds ProviderCache::RetryDelay(int failures) {
  // The first retry after the core's own kProviderRetryAfter, then doubling to 5 min.
  std::chrono::seconds delay = rotation::kProviderRetryAfter;
  for (int i = 1; i < failures && delay < std::chrono::minutes(5); ++i) delay *= 2;
  return std::min<std::chrono::seconds>(delay, std::chrono::minutes(5));
}

ProviderHandle ProviderCache::Connect(const std::string& ns, const std::string& resource_key,
                                      const rotation::Spec& spec) {
  std::set<std::string> read;
  // The only Secrets a provider may read: those of the resource's own namespace.
  providers::SecretReader reader = [&](const std::string& what, const std::string& name) {
    read.insert(ns + "/" + name);
    return credentials_.Read(ns, what, name);
  };
  auto provider = registry_.Connect(spec.provider, reader, settings_);
  if (!provider) return Failed(ToRotationKind(provider.error().kind), provider.error().message);
  ProviderHandle h = Connected(resource_key, std::move(provider.value()));
  auto account = AccountFor(h.account_id);
  std::lock_guard lock(account->mu);
  for (const auto& secret : read) AddOnce(account->credential_secrets, secret);
  return h;
}

void ProviderCache::ForgetExpiredConnects() { credentials_.ForgetExpired(); }

void ProviderCache::DropCredentialsIfRefused(const std::shared_ptr<Account>& account,
                                             const std::optional<rotation::ProviderError>& error) {
  const bool refused = error && (error->kind == ProviderErrorKind::Unauthorized || error->kind == ProviderErrorKind::Forbidden ||
                                 error->kind == ProviderErrorKind::Credentials || error->kind == ProviderErrorKind::BadConfig);
  if (!refused) return;
  std::vector<std::string> secrets;
  {
    std::lock_guard lock(account->mu);
    secrets.swap(account->credential_secrets);
  }
  for (const auto& key : secrets) credentials_.Forget(key);
}

rotation::ObservedProvider ProviderCache::Account::Observed() const {
  rotation::ObservedProvider o{read_at, std::nullopt, error};
  if (keys_read && raw) o.keys = KeysOf(*raw);
  return o;
}

void ProviderCache::Account::Record(const rotation::ObservedProvider& o) {
  read_at = o.read_at;
  error = o.error;
  keys_read = o.keys.has_value();  // callers record keys only as KeysOf(raw)
}

std::shared_ptr<ProviderCache::Account> ProviderCache::AccountFor(const std::string& id) {
  std::lock_guard lock(mu_);
  auto& a = accounts_[id];
  if (!a) a = std::make_shared<Account>();
  return a;
}

rotation::ObservedProvider ProviderCache::Latest(const std::string& resource_key, const ProviderHandle& handle) {
  if (!handle.provider) {
    std::lock_guard lock(mu_);
    auto it = resource_errors_.find(resource_key);
    return it == resource_errors_.end() ? rotation::ObservedProvider{} : it->second;
  }
  auto account = AccountFor(handle.account_id);
  std::lock_guard lock(account->mu);
  return account->Observed();
}

void ProviderCache::StartRead(const std::shared_ptr<Account>& account, const ProviderHandle& handle,
                              const std::function<rotation::Time()>& now) {
  if (account->in_flight) return;
  account->in_flight = true;
  io_.Run(
      [this, sink = sink_, account, provider = handle.provider, now] {
        std::lock_guard io(account->io_mu);
        auto keys = provider->ReadKeys();
        // `this` is alive while the sink is open (the destructor closes it first).
        std::lock_guard lock(sink->mu);
        if (sink->closed) return;
        Landed(account, std::move(keys), now());
      },
      account->failures > 0);
}

void ProviderCache::Landed(const std::shared_ptr<Account>& account, providers::Result<providers::KeySet> keys,
                           rotation::Time at) {
  rotation::ObservedProvider o;
  o.read_at = at;
  std::vector<std::string> waiting;
  {
    std::lock_guard lock(account->mu);
    if (keys) {
      o.keys = KeysOf(*keys);
      account->raw = std::move(keys.value());
      account->failures = 0;
      account->retry_at.reset();
    } else {
      // Keep the last good raw keys: they still match the keysHash recorded for them.
      ++account->failures;
      account->retry_at = at + RetryDelay(account->failures);
      o.error = rotation::ProviderError{
          ToRotationKind(keys.error().kind),
          keys.error().message + "; keyroll tries again at " + rotation::FormatTimestamp(*account->retry_at) +
              (account->failures > 1 ? " (" + std::to_string(account->failures) + " failed reads in a row)" : "")};
    }
    account->Record(o);
    account->in_flight = false;
    waiting.swap(account->waiting);
  }
  account->landed.notify_all();
  DropCredentialsIfRefused(account, o.error);
  if (sink_->wake)
    for (const auto& key : waiting) sink_->wake(key);
}

ProviderRead ProviderCache::ReadBounded(const std::string& resource_key, const ProviderHandle& handle,
                                        std::optional<rotation::Time> seen,
                                        const std::function<rotation::Time()>& now) {
  if (!handle.provider) {
    rotation::ObservedProvider failed{now(), std::nullopt, handle.error};
    std::lock_guard lock(mu_);
    resource_errors_[resource_key] = failed;
    return {failed, false, std::nullopt};
  }
  auto account = AccountFor(handle.account_id);
  std::unique_lock lock(account->mu);
  // Another resource of this account read after our observation: share its answer.
  if (account->read_at && (!seen || *account->read_at > *seen) && !account->in_flight)
    return {account->Observed(), false, std::nullopt};
  const rotation::Time t = now();
  if (!account->in_flight && account->retry_at && t < *account->retry_at) {
    // The circuit is open: fail at once with the last error, read_at now (no new read was
    // made, and none is due before retry_at).
    rotation::ObservedProvider o = account->Observed();
    o.read_at = t;
    return {o, false, std::chrono::duration_cast<std::chrono::milliseconds>(*account->retry_at - t)};
  }
  // Wait briefly only for a read this reconcile starts for an account that has been
  // answering: a read already in flight (its resource was woken or rechecked) or a probe of a
  // failing account would mostly cost the worker the whole wait. Nor while a call hangs
  // (ProviderIo::Hanging): an account never read before (all of them at a cold start) may be
  // on the same endpoint; 1,000 such waits would hold the workers for 100 s.
  const bool wait = !account->in_flight && account->failures == 0 && !io_.Hanging();
  StartRead(account, handle, now);
  AddOnce(account->waiting, resource_key);
  if (!wait || !account->landed.wait_for(lock, options_.read_wait, [&] { return !account->in_flight; }))
    return {{}, true, std::nullopt};
  std::erase(account->waiting, resource_key);
  if (account->waiting.empty()) account->waiting.shrink_to_fit();  // most accounts wait for nothing
  return {account->Observed(), false, std::nullopt};
}

rotation::ObservedProvider ProviderCache::Read(const std::string& resource_key, const ProviderHandle& handle,
                                               std::optional<rotation::Time> seen,
                                               const std::function<rotation::Time()>& now) {
  if (!handle.provider) return ReadBounded(resource_key, handle, seen, now).observed;
  auto account = AccountFor(handle.account_id);
  std::unique_lock lock(account->mu);
  if (account->read_at && (!seen || *account->read_at > *seen) && !account->in_flight) return account->Observed();
  StartRead(account, handle, now);
  account->landed.wait(lock, [&] { return !account->in_flight; });
  return account->Observed();
}

std::optional<providers::KeySet> ProviderCache::RawKeys(const ProviderHandle& handle,
                                                        const rotation::ProviderKeys& keys) {
  if (!handle.provider) return std::nullopt;
  auto account = AccountFor(handle.account_id);
  std::lock_guard lock(account->mu);
  if (!account->raw || KeysOf(*account->raw) != keys) return std::nullopt;
  return account->raw;
}

rotation::RotateOutcome ProviderCache::RecordRotate(const std::shared_ptr<Account>& account,
                                                   providers::Result<providers::KeySet> keys, rotation::Time now) {
  rotation::RotateOutcome out;
  {
    std::lock_guard lock(account->mu);
    if (keys) {
      out.keys = KeysOf(*keys);
      account->raw = std::move(keys.value());
      account->Record({now, out.keys, std::nullopt});
    } else {
      out.error = rotation::ProviderError{ToRotationKind(keys.error().kind), keys.error().message};
      // What the provider holds now is unknown; Decide re-reads after the settle time.
    }
  }
  DropCredentialsIfRefused(account, out.error);
  return out;
}

rotation::RevokeOutcome ProviderCache::RecordRevoke(const std::shared_ptr<Account>& account, const std::string& kid,
                                                   providers::Result<providers::RevokeOutcome> done,
                                                   rotation::Time now) {
  rotation::RevokeOutcome out;
  out.kid = kid;
  {
    std::lock_guard lock(account->mu);
    if (done) {
      out.revoked = done->revoked;
      out.keys = KeysOf(done->keys);
      account->raw = std::move(done->keys);
      account->Record({now, out.keys, std::nullopt});
    } else {
      out.error = rotation::ProviderError{ToRotationKind(done.error().kind), done.error().message};
      // What the provider holds now is unknown: forget the read, so the next decision is made
      // on a fresh one (never a blind second revoke).
      account->Record({});
    }
  }
  DropCredentialsIfRefused(account, out.error);
  return out;
}

bool ProviderCache::RunCall(const std::string& resource_key, const std::shared_ptr<Account>& account,
                            std::function<void()> io, std::function<void(Pending&)> record,
                            std::shared_ptr<Pending>* pending) {
  auto p = std::make_shared<Pending>();
  *pending = p;
  bool suspect;
  {
    std::lock_guard lock(account->mu);
    suspect = account->failures > 0;
  }
  {
    std::lock_guard lock(mu_);
    calls_[resource_key] = p;
  }
  io_.Run(
      [this, sink = sink_, p, key = resource_key, io = std::move(io), record = std::move(record)] {
        io();
        // `this` is alive while the sink is open (the destructor closes it first).
        std::lock_guard lock(sink->mu);
        if (sink->closed) return;
        Pending landed;
        record(landed);
        bool wake;
        {
          std::lock_guard calls(mu_);
          p->rotate = std::move(landed.rotate);
          p->revoke = std::move(landed.revoke);
          p->landed = true;
          wake = p->let_go;
        }
        call_landed_.notify_all();
        if (wake && sink->wake) sink->wake(key);
      },
      suspect);
  std::unique_lock lock(mu_);
  if (!suspect) call_landed_.wait_for(lock, options_.read_wait, [&] { return p->landed; });
  if (!p->landed) {
    p->let_go = true;
    return false;
  }
  if (auto it = calls_.find(resource_key); it != calls_.end() && it->second == p) calls_.erase(it);
  return true;
}

std::optional<rotation::RotateOutcome> ProviderCache::RotateBounded(const std::string& resource_key,
                                                                   const ProviderHandle& handle,
                                                                   const std::function<rotation::Time()>& now) {
  if (!handle.provider) {
    rotation::RotateOutcome out;
    out.error = handle.error.value_or(rotation::ProviderError{ProviderErrorKind::Unavailable, "no provider"});
    return out;
  }
  auto account = AccountFor(handle.account_id);
  std::shared_ptr<Pending> pending;
  auto keys = std::make_shared<providers::Result<providers::KeySet>>(providers::ProviderError{});
  auto io = [account, provider = handle.provider, keys] {
    std::lock_guard io(account->io_mu);
    *keys = provider->Rotate();  // exactly once, never retried
  };
  auto record = [this, account, keys, now](Pending& out) {
    out.rotate = RecordRotate(account, std::move(*keys), now());
  };
  if (!RunCall(resource_key, account, std::move(io), std::move(record), &pending)) return std::nullopt;
  std::lock_guard lock(mu_);
  return pending->rotate;
}

std::optional<rotation::RevokeOutcome> ProviderCache::RevokeBounded(const std::string& resource_key,
                                                                   const ProviderHandle& handle, const std::string& kid,
                                                                   const std::function<rotation::Time()>& now) {
  if (!handle.provider) {
    rotation::RevokeOutcome out;
    out.kid = kid;
    out.error = handle.error.value_or(rotation::ProviderError{ProviderErrorKind::Unavailable, "no provider"});
    return out;
  }
  auto account = AccountFor(handle.account_id);
  std::shared_ptr<Pending> pending;
  auto done = std::make_shared<providers::Result<providers::RevokeOutcome>>(providers::ProviderError{});
  auto io = [account, provider = handle.provider, kid, done] {
    std::lock_guard io(account->io_mu);
    *done = provider->RevokePrevious(kid);  // exactly once, never retried
  };
  auto record = [this, account, kid, done, now](Pending& out) {
    out.revoke = RecordRevoke(account, kid, std::move(*done), now());
  };
  if (!RunCall(resource_key, account, std::move(io), std::move(record), &pending)) return std::nullopt;
  std::lock_guard lock(mu_);
  return pending->revoke;
}

ProviderCache::Call ProviderCache::TakeCall(const std::string& resource_key) {
  std::lock_guard lock(mu_);
  auto it = calls_.find(resource_key);
  if (it == calls_.end()) return {};
  if (!it->second->landed) return {true, std::nullopt, std::nullopt};
  Call out{false, std::move(it->second->rotate), std::move(it->second->revoke)};
  calls_.erase(it);
  return out;
}

void ProviderCache::Forget(const std::string& resource_key) {
  std::lock_guard lock(mu_);
  resource_errors_.erase(resource_key);
  calls_.erase(resource_key);
}

}  // namespace keyroll::controller
