// credential_secrets.cpp — see credential_secrets.h.
#include "operator/controller/credential_secrets.h"

#include "operator/base/encoding.h"

namespace keyroll::controller {

using providers::ErrorKind;

namespace {

providers::ProviderError Error(ErrorKind kind, std::string message) {
  return {kind, std::move(message), 0, std::nullopt};
}

}  // namespace

providers::Result<providers::SecretData> CredentialSecrets::Get(const std::string& ns, const std::string& what,
                                                               const std::string& name) {
  // The credentials Secret lives in the resource's own namespace: never read another one.
  auto secret = client_.Get(kube::resources::kSecrets, ns, name);
  if (!secret) {
    if (kube::IsNotFound(secret.error()))
      return Error(ErrorKind::kCredentials, what + " Secret \"" + name + "\" not found in namespace \"" + ns + "\"");
    // The API server's own words: a Forbidden names the verb, resource and user refused.
    return Error(ErrorKind::kUnavailable, "cannot read " + what + " Secret \"" + name + "\": " + secret.error().ToString());
  }
  providers::SecretData data;
  auto entries = secret->find("data");
  if (entries != secret->end() && entries->is_object())
    for (const auto& [key, value] : entries->items())
      if (value.is_string())
        if (auto decoded = base::Base64Decode(value.get<std::string>()))
          data.emplace(key, providers::SecretValue(std::move(*decoded)));
  return data;
}

providers::Result<providers::SecretData> CredentialSecrets::Read(const std::string& ns, const std::string& what,
                                                                const std::string& name) {
  const std::string key = ns + "/" + name;
  std::unique_lock lock(mu_);
  auto now = std::chrono::steady_clock::now();
  if (now - swept_ >= kKeep) ForgetExpiredLocked(now);
  // Another worker's GET of this Secret is on its way: its answer is as fresh as ours.
  landed_.wait(lock, [&] { return !entries_[key].in_flight; });
  Entry& e = entries_[key];
  if (e.kept && now - e.read < kKeep) return e.data;
  e.in_flight = true;
  ++gets_;
  lock.unlock();
  auto got = Get(ns, what, name);
  lock.lock();
  Entry& done = entries_[key];
  done.in_flight = false;
  if (got) {
    done.data = *got;
    done.kept = true;
    done.read = std::chrono::steady_clock::now();
  } else {
    entries_.erase(key);  // not kept: the next reconcile asks again
  }
  lock.unlock();
  landed_.notify_all();
  return got;
}

void CredentialSecrets::Forget(const std::string& key) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(key);
  if (it != entries_.end() && !it->second.in_flight) entries_.erase(it);
}

void CredentialSecrets::ForgetExpired() {
  std::lock_guard lock(mu_);
  ForgetExpiredLocked(std::chrono::steady_clock::now());
}

void CredentialSecrets::ForgetExpiredLocked(std::chrono::steady_clock::time_point now) {
  std::erase_if(entries_, [&](const auto& e) { return !e.second.in_flight && now - e.second.read >= kKeep; });
  swept_ = now;
}

size_t CredentialSecrets::gets() const {
  std::lock_guard lock(mu_);
  return gets_;
}

}  // namespace keyroll::controller
