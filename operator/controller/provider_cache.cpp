// provider_cache.cpp — see provider_cache.h.
#include "operator/controller/provider_cache.h"

#include "operator/base/encoding.h"
#include "operator/providers/auth0/client.h"
#include "operator/base/crypto.h"
#include "operator/base/encoding.h"
#include "operator/providers/fingerprint.h"
#include "operator/providers/qstash/client.h"
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
  out.current_kid = kid(providers::auth0::kCurrentKid);
  out.next_kid = kid(providers::auth0::kNextKid);
  out.previous_kid = kid(providers::auth0::kPreviousKid);
  return out;
}

namespace {

// data[key] of a Secret, decoded; nullopt when absent or not base64.
std::optional<std::string> SecretEntry(const nlohmann::json& secret, const std::string& key) {
  auto data = secret.find("data");
  if (data == secret.end() || !data->is_object()) return std::nullopt;
  auto v = data->find(key);
  if (v == data->end() || !v->is_string()) return std::nullopt;
  return base::Base64Decode(v->get<std::string>());
}

// A handle that says why there is no provider.
ProviderHandle Failed(ProviderErrorKind kind, std::string message) {
  return {nullptr, rotation::ProviderError{kind, std::move(message)}, ""};
}

// What every provider client gets from keyroll's flags and the spec alike: the CAs trusted
// beside the system roots, the timeouts, the retry budget and the request metrics.
template <class ClientOptions>
void SetSharedOptions(ClientOptions& o, const ProviderCacheOptions& flags, const std::string& ca_bundle,
                      providers::RequestObserver observer) {
  o.tls.ca_file = flags.ca_file;
  o.tls.ca_pem = ca_bundle;
  o.timeouts.connect = flags.connect_timeout;
  o.timeouts.read = flags.read_timeout;
  o.retry.max_total = std::chrono::seconds(20);
  o.retry.max_rate_limit_wait = std::chrono::seconds(20);
  o.observer = std::move(observer);
}

// A digest of every field of the provider spec (length-prefixed, so no two specs share one):
// what a reused connect is checked against, in 32 bytes instead of a copy of the spec.
std::string SpecDigest(const rotation::Provider& provider) {
  std::string text;
  auto add = [&text](const std::string& field) { text += std::to_string(field.size()) + ":" + field; };
  if (const auto* q = std::get_if<rotation::QStashProvider>(&provider)) {
    text = "qstash;";
    for (const auto* f : {&q->token_secret_ref.name, &q->token_secret_ref.key, &q->url, &q->ca_bundle}) add(*f);
  } else if (const auto* a = std::get_if<rotation::Auth0Provider>(&provider)) {
    text = "auth0;";
    for (const auto* f : {&a->domain, &a->client_secret_ref.name, &a->client_secret_ref.client_id_key,
                          &a->client_secret_ref.client_secret_key, &a->audience, &a->ca_bundle})
      add(*f);
  }
  return base::Sha256(text);
}

// Trailing newlines are a common accident of `kubectl create secret --from-file`.
void TrimTrailingNewlines(std::string& s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
}

}  // namespace

providers::RequestObserver ProviderCache::ObserverFor(const char* provider) const {
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

rotation::Result<kube::Object, ProviderHandle> ProviderCache::ReadCredentials(const std::string& ns,
                                                                            const std::string& what,
                                                                            const std::string& name) {
  // The credentials Secret lives in the resource's own namespace: never read another one.
  auto secret = client_.Get(kube::resources::kSecrets, ns, name);
  if (secret) return std::move(secret.value());
  if (kube::IsNotFound(secret.error()))
    return rotation::Err{Failed(ProviderErrorKind::Credentials,
                              what + " Secret \"" + name + "\" not found in namespace \"" + ns + "\"")};
  // The API server's own words: a Forbidden names the verb, resource and user refused.
  return rotation::Err{Failed(ProviderErrorKind::Unavailable,
                            "cannot read " + what + " Secret \"" + name + "\": " + secret.error().ToString())};
}

ProviderHandle ProviderCache::ConnectAuth0(const std::string& resource_key, const rotation::Auth0Provider& auth0,
                                           const Credentials& credentials) {
  const std::string& id = credentials.first.reveal();
  const std::string& client_secret = credentials.second.reveal();
  // One client per resource while its configuration stays the same: the client caches its
  // management token (Auth0 counts and limits the tokens a client fetches).
  const std::string config = base::HexLower(base::Sha256(
      auth0.domain + "\n" + auth0.audience + "\n" + auth0.ca_bundle + "\n" + id + "\n" + client_secret));
  {
    std::unique_lock lock(mu_);
    if (auto it = auth0_clients_.find(resource_key); it != auth0_clients_.end() && it->second.first == config) {
      auto cached = it->second.second;
      lock.unlock();
      return Connected(resource_key, cached);
    }
  }
  providers::auth0::ClientOptions o;
  o.domain = auth0.domain;
  o.audience = auth0.audience;
  o.client_id = id;
  o.client_secret = credentials.second;
  SetSharedOptions(o, options_, auth0.ca_bundle, ObserverFor("auth0"));
  auto created = providers::auth0::Client::Create(std::move(o));
  if (!created) return Failed(ToRotationKind(created.error().kind), created.error().message);
  std::shared_ptr<providers::Provider> provider(std::move(created.value()));
  {
    std::lock_guard lock(mu_);
    auth0_clients_[resource_key] = {config, provider};
  }
  return Connected(resource_key, provider);
}

ProviderHandle ProviderCache::ConnectQStash(const std::string& resource_key, const rotation::QStashProvider& qstash,
                                            const Credentials& credentials) {
  providers::qstash::ClientOptions o;
  o.url = qstash.url;
  o.token = credentials.first;
  SetSharedOptions(o, options_, qstash.ca_bundle, ObserverFor("qstash"));
  auto created = providers::qstash::Client::Create(std::move(o));
  if (!created) return Failed(ToRotationKind(created.error().kind), created.error().message);
  return Connected(resource_key, std::shared_ptr<providers::Provider>(std::move(created.value())));
}

rotation::Result<ProviderCache::Credentials, ProviderHandle> ProviderCache::ReadProviderCredentials(
    const std::string& ns, const rotation::Spec& spec) {
  if (const auto* auth0 = rotation::AsAuth0(spec)) {
    const auto& ref = auth0->client_secret_ref;
    auto secret = ReadCredentials(ns, "client", ref.name);
    if (!secret) return rotation::Err{secret.error()};
    auto id = SecretEntry(*secret, ref.client_id_key);
    auto client_secret = SecretEntry(*secret, ref.client_secret_key);
    if (id) TrimTrailingNewlines(*id);
    if (client_secret) TrimTrailingNewlines(*client_secret);
    for (const auto& [value, key] :
         {std::pair{&id, &ref.client_id_key}, std::pair{&client_secret, &ref.client_secret_key}})
      if (!*value || (*value)->empty())
        return rotation::Err{Failed(ProviderErrorKind::Credentials,
                                    "client Secret \"" + ref.name + "\" has no (valid) key \"" + *key + "\"")};
    return Credentials{providers::SecretValue(std::move(*id)), providers::SecretValue(std::move(*client_secret))};
  }
  const auto* qstash = rotation::AsQStash(spec);
  if (!qstash) return rotation::Err{Failed(ProviderErrorKind::Unavailable, "no provider in the spec")};
  const auto& ref = qstash->token_secret_ref;
  auto secret = ReadCredentials(ns, "token", ref.name);
  if (!secret) return rotation::Err{secret.error()};
  std::optional<std::string> token = SecretEntry(*secret, ref.key);
  if (!token || token->empty())
    return rotation::Err{Failed(ProviderErrorKind::Credentials,
                                "token Secret \"" + ref.name + "\" has no (valid) key \"" + ref.key + "\"")};
  TrimTrailingNewlines(*token);
  return Credentials{providers::SecretValue(std::move(*token)), {}};
}

ProviderHandle ProviderCache::ConnectWith(const std::string& resource_key, const rotation::Spec& spec,
                                          const Credentials& credentials) {
  if (const auto* auth0 = rotation::AsAuth0(spec)) return ConnectAuth0(resource_key, *auth0, credentials);
  if (const auto* qstash = rotation::AsQStash(spec)) return ConnectQStash(resource_key, *qstash, credentials);
  return Failed(ProviderErrorKind::Unavailable, "no provider in the spec");
}

ProviderCache::ProviderCache(kube::Client& client, ProviderCacheOptions options, http::Metrics* metrics)
    : client_(client),
      options_(std::move(options)),
      metrics_(metrics),
      sink_(std::make_shared<Sink>()),
      io_(options_.io_threads) {
  sink_->metrics = metrics;
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
  const auto now = std::chrono::steady_clock::now();
  const std::string digest = SpecDigest(spec.provider);
  std::optional<Credentials> reused;
  {
    std::lock_guard lock(mu_);
    if (now - reuse_swept_ >= kConnectReuse) ForgetExpiredConnectsLocked(now);
    auto it = reuse_.find(resource_key);
    if (it != reuse_.end() && it->second.spec_digest == digest && now - it->second.at < kConnectReuse)
      reused = it->second.credentials;
  }
  if (reused) return ConnectWith(resource_key, spec, *reused);
  auto credentials = ReadProviderCredentials(ns, spec);
  ProviderHandle h = credentials ? ConnectWith(resource_key, spec, *credentials) : credentials.error();
  std::lock_guard lock(mu_);
  if (h.provider)
    reuse_[resource_key] = {digest, std::move(*credentials), std::hash<std::string>{}(h.account_id), now};
  else
    reuse_.erase(resource_key);
  return h;
}

void ProviderCache::ForgetExpiredConnects() {
  std::lock_guard lock(mu_);
  ForgetExpiredConnectsLocked(std::chrono::steady_clock::now());
}

void ProviderCache::ForgetExpiredConnectsLocked(std::chrono::steady_clock::time_point now) {
  std::erase_if(reuse_, [&](const auto& e) { return now - e.second.at >= kConnectReuse; });
  reuse_swept_ = now;
}

void ProviderCache::DropReuseIfRefused(const std::string& account_id,
                                       const std::optional<rotation::ProviderError>& error) {
  const bool refused = error && (error->kind == ProviderErrorKind::Unauthorized || error->kind == ProviderErrorKind::Forbidden ||
                                 error->kind == ProviderErrorKind::Credentials || error->kind == ProviderErrorKind::BadConfig);
  if (!refused) return;
  std::lock_guard lock(mu_);
  const size_t account = std::hash<std::string>{}(account_id);  // a collision only costs a re-read
  std::erase_if(reuse_, [&](const auto& e) { return e.second.account_hash == account; });
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
      [this, sink = sink_, account, provider = handle.provider, id = handle.account_id, now] {
        std::lock_guard io(account->io_mu);
        auto keys = provider->ReadKeys();
        // `this` is alive while the sink is open (the destructor closes it first).
        std::lock_guard lock(sink->mu);
        if (sink->closed) return;
        Landed(account, id, std::move(keys), now());
      },
      account->failures > 0);
}

void ProviderCache::Landed(const std::shared_ptr<Account>& account, const std::string& account_id,
                           providers::Result<providers::KeySet> keys, rotation::Time at) {
  rotation::ObservedProvider o;
  o.read_at = at;
  std::set<std::string> waiting;
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
  DropReuseIfRefused(account_id, o.error);
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
  // failing account would mostly cost the worker the whole wait.
  const bool wait = !account->in_flight && account->failures == 0;
  StartRead(account, handle, now);
  account->waiting.insert(resource_key);
  if (!wait || !account->landed.wait_for(lock, options_.read_wait, [&] { return !account->in_flight; }))
    return {{}, true, std::nullopt};
  account->waiting.erase(resource_key);
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

rotation::RotateOutcome ProviderCache::Rotate(const ProviderHandle& handle, rotation::Time now) {
  rotation::RotateOutcome out;
  if (!handle.provider) {
    out.error = handle.error.value_or(rotation::ProviderError{ProviderErrorKind::Unavailable, "no provider"});
    return out;
  }
  auto account = AccountFor(handle.account_id);
  std::lock_guard io(account->io_mu);
  auto keys = handle.provider->Rotate();  // exactly once, never retried
  std::lock_guard lock(account->mu);
  if (keys) {
    out.keys = KeysOf(*keys);
    account->raw = std::move(keys.value());
    account->Record({now, out.keys, std::nullopt});
  } else {
    out.error = rotation::ProviderError{ToRotationKind(keys.error().kind), keys.error().message};
    // What the provider holds now is unknown; Decide re-reads after the settle time.
  }
  DropReuseIfRefused(handle.account_id, out.error);
  return out;
}

rotation::RevokeOutcome ProviderCache::Revoke(const ProviderHandle& handle, const std::string& kid,
                                             rotation::Time now) {
  rotation::RevokeOutcome out;
  out.kid = kid;
  if (!handle.provider) {
    out.error = handle.error.value_or(rotation::ProviderError{ProviderErrorKind::Unavailable, "no provider"});
    return out;
  }
  auto account = AccountFor(handle.account_id);
  std::lock_guard io(account->io_mu);
  auto done = handle.provider->RevokePrevious(kid);  // exactly once, never retried
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
  DropReuseIfRefused(handle.account_id, out.error);
  return out;
}

void ProviderCache::Forget(const std::string& resource_key) {
  std::lock_guard lock(mu_);
  resource_errors_.erase(resource_key);
  auth0_clients_.erase(resource_key);
  reuse_.erase(resource_key);
}

}  // namespace keyroll::controller
