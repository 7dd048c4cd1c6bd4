// provider_cache.cpp — see provider_cache.h.
#include "operator/controller/provider_cache.h"

#include "operator/kube/base64.h"
#include "operator/providers/fingerprint.h"
#include "operator/providers/qstash/client.h"

namespace keyroll::controller {

using rotation::ProviderErrorKind;

rotation::ProviderErrorKind ToRotationKind(providers::ErrorKind kind) {
  using providers::ErrorKind;
  switch (kind) {
    case ErrorKind::kUnauthorized:
    case ErrorKind::kForbidden: return ProviderErrorKind::Unauthorized;
    case ErrorKind::kRateLimited: return ProviderErrorKind::RateLimited;
    case ErrorKind::kInvalidAnswer: return ProviderErrorKind::InvalidResponse;
    case ErrorKind::kOutcomeUnknown: return ProviderErrorKind::Timeout;
    case ErrorKind::kBadConfig: return ProviderErrorKind::Credentials;
    case ErrorKind::kUnavailable:
    case ErrorKind::kRejected: break;
  }
  return ProviderErrorKind::Unavailable;
}

rotation::ProviderKeys KeysOf(const providers::KeySet& keys) {
  return {providers::Fingerprint(keys.current), providers::Fingerprint(keys.next),
          providers::KeysHash(keys.current, keys.next)};
}

ProviderCache::ProviderCache(kube::Client& client, ProviderCacheOptions options, http::Metrics* metrics)
    : client_(client), options_(std::move(options)), metrics_(metrics) {}

ProviderHandle ProviderCache::Fail(const std::string& resource_key, ProviderErrorKind kind, std::string message) {
  std::lock_guard lock(mu_);
  account_of_.erase(resource_key);
  return {nullptr, rotation::ProviderError{kind, std::move(message)}, ""};
}

ProviderHandle ProviderCache::Connect(const std::string& ns, const std::string& resource_key,
                                      const rotation::Spec& spec) {
  const auto* qstash = rotation::AsQStash(spec);
  if (!qstash) return Fail(resource_key, ProviderErrorKind::Unavailable, "this keyroll build has no auth0 provider");
  const auto& ref = qstash->token_secret_ref;
  // The token Secret lives in the resource's own namespace: never read another one.
  auto secret = client_.Get(kube::resources::kSecrets, ns, ref.name);
  if (!secret) {
    if (kube::IsNotFound(secret.error()))
      return Fail(resource_key, ProviderErrorKind::Credentials,
                  "token Secret \"" + ref.name + "\" not found in namespace \"" + ns + "\"");
    return Fail(resource_key, ProviderErrorKind::Unavailable,
                "cannot read token Secret \"" + ref.name + "\": " + kube::ReasonName(secret.error().reason));
  }
  std::optional<std::string> token;
  if (auto data = secret->find("data"); data != secret->end() && data->is_object())
    if (auto v = data->find(ref.key); v != data->end() && v->is_string()) token = kube::DecodeBase64(v->get<std::string>());
  if (!token || token->empty())
    return Fail(resource_key, ProviderErrorKind::Credentials,
                "token Secret \"" + ref.name + "\" has no (valid) key \"" + ref.key + "\"");
  // Trailing newlines are a common accident of `kubectl create secret --from-file`.
  while (!token->empty() && (token->back() == '\n' || token->back() == '\r')) token->pop_back();

  providers::qstash::ClientOptions o;
  o.url = qstash->url;
  o.token = providers::SecretValue(std::move(*token));
  o.tls.ca_file = options_.ca_file;
  o.timeouts.connect = options_.connect_timeout;
  o.timeouts.read = options_.read_timeout;
  o.retry.max_total = std::chrono::seconds(20);
  o.retry.max_rate_limit_wait = std::chrono::seconds(20);
  http::Metrics* metrics = metrics_;
  o.observer = [metrics](std::string_view op, int code) {
    if (metrics) metrics->ProviderRequest("qstash", std::string(op), code == 0 ? "error" : std::to_string(code));
  };
  auto created = providers::qstash::Client::Create(std::move(o));
  if (!created) return Fail(resource_key, ToRotationKind(created.error().kind), created.error().message);
  std::shared_ptr<providers::Provider> provider(std::move(created.value()));
  ProviderHandle h{provider, std::nullopt, provider->AccountId()};
  std::lock_guard lock(mu_);
  account_of_[resource_key] = h.account_id;
  resource_errors_.erase(resource_key);
  return h;
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
  std::lock_guard lock(account->read_mu);
  return account->observed;
}

rotation::ObservedProvider ProviderCache::Read(const std::string& resource_key, const ProviderHandle& handle,
                                               std::optional<rotation::Time> seen,
                                               const std::function<rotation::Time()>& now) {
  if (!handle.provider) {
    rotation::ObservedProvider failed{now(), std::nullopt, handle.error};
    std::lock_guard lock(mu_);
    resource_errors_[resource_key] = failed;
    return failed;
  }
  auto account = AccountFor(handle.account_id);
  std::lock_guard lock(account->read_mu);
  // Another resource of this account read after our observation: share its answer.
  if (account->observed.read_at && (!seen || *account->observed.read_at > *seen)) return account->observed;
  auto keys = handle.provider->ReadKeys();
  rotation::ObservedProvider o;
  o.read_at = now();
  if (keys) {
    o.keys = KeysOf(*keys);
    account->raw = std::move(keys.value());
  } else {
    o.error = rotation::ProviderError{ToRotationKind(keys.error().kind), keys.error().message};
    // Keep the last good raw keys: they still match the keysHash recorded for them.
  }
  account->observed = o;
  return o;
}

std::optional<providers::KeySet> ProviderCache::RawKeys(const ProviderHandle& handle,
                                                        const rotation::ProviderKeys& keys) {
  if (!handle.provider) return std::nullopt;
  auto account = AccountFor(handle.account_id);
  std::lock_guard lock(account->read_mu);
  if (!account->raw || KeysOf(*account->raw).keys_hash != keys.keys_hash) return std::nullopt;
  return account->raw;
}

rotation::RotateOutcome ProviderCache::Rotate(const ProviderHandle& handle, rotation::Time now) {
  rotation::RotateOutcome out;
  if (!handle.provider) {
    out.error = handle.error.value_or(rotation::ProviderError{ProviderErrorKind::Unavailable, "no provider"});
    return out;
  }
  auto account = AccountFor(handle.account_id);
  std::lock_guard lock(account->read_mu);
  auto keys = handle.provider->Rotate();  // exactly once, never retried
  if (keys) {
    out.keys = KeysOf(*keys);
    account->observed = {now, out.keys, std::nullopt};
    account->raw = std::move(keys.value());
  } else {
    out.error = rotation::ProviderError{ToRotationKind(keys.error().kind), keys.error().message};
    // What the provider holds now is unknown; Decide re-reads after the settle time.
  }
  return out;
}

std::string ProviderCache::AccountOf(const std::string& resource_key) const {
  std::lock_guard lock(mu_);
  auto it = account_of_.find(resource_key);
  return it == account_of_.end() ? "" : it->second;
}

void ProviderCache::Forget(const std::string& resource_key) {
  std::lock_guard lock(mu_);
  account_of_.erase(resource_key);
  resource_errors_.erase(resource_key);
}

}  // namespace keyroll::controller
