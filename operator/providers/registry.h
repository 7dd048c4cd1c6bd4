// registry: the providers keyroll knows, each behind a factory (as external-secrets does it).
// A provider's folder holds its client and its factory; the factory reads the provider's own
// credentials through the SecretReader the controller hands it (Secrets of the resource's own
// namespace only) and builds the client. The controller calls Registry::Connect and never
// names a provider. Registering a provider is one line in builtin.cpp.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "operator/providers/http_endpoint.h"
#include "operator/providers/provider.h"
#include "operator/providers/retry.h"
#include "operator/rotation/spec.h"

namespace keyroll::providers {

// A Secret's entries, decoded (entries that are not valid base64 are left out).
using SecretData = std::map<std::string, SecretValue>;

// Reads a credentials Secret by name from the resource's own namespace: the only Secrets a
// factory can reach. `what` names the Secret in messages ("token", "client"). Errors:
// kCredentials when it does not exist, kUnavailable when the API server cannot say.
using SecretReader = std::function<Result<SecretData>(const std::string& what, const std::string& name)>;

// What every client gets from keyroll's flags (--provider-ca-file, timeouts) and metrics.
struct ClientSettings {
  std::string ca_file;
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds read_timeout{10000};
  // keyroll_provider_requests_total{provider,...}: an observer per provider name (may be empty).
  std::function<RequestObserver(const std::string& provider)> observer;
};

// The settings, the spec's CA bundle and the retry budget into a client's options (every
// client's options have tls, timeouts, retry and observer).
template <class ClientOptions>
void ApplySettings(ClientOptions& o, const ClientSettings& settings, const std::string& ca_bundle,
                   const std::string& provider) {
  o.tls.ca_file = settings.ca_file;
  o.tls.ca_pem = ca_bundle;
  o.timeouts.connect = settings.connect_timeout;
  o.timeouts.read = settings.read_timeout;
  o.retry.max_total = std::chrono::seconds(20);
  o.retry.max_rate_limit_wait = std::chrono::seconds(20);
  if (settings.observer) o.observer = settings.observer(provider);
}

// data[key] of a credentials Secret, trailing newlines trimmed (a common accident of
// `kubectl create secret --from-file`); kCredentials naming the Secret and key when absent or
// empty.
Result<SecretValue> RequiredEntry(const SecretData& data, const std::string& what, const std::string& secret,
                                  const std::string& key);

class ProviderFactory {
 public:
  virtual ~ProviderFactory() = default;
  virtual std::string Name() const = 0;  // "qstash", as in metrics and the CRD
  // The spec's provider section is this provider's.
  virtual bool Handles(const rotation::Provider& spec) const = 0;
  // The names of the Secrets Connect reads (the CLI asks first whether the user may).
  virtual std::vector<std::string> CredentialSecrets(const rotation::Provider& spec) const = 0;
  // Reads the credentials through `read` and builds the client. Called on every reconcile:
  // the reader caches the Secrets, the factory may keep what is costly to build (Auth0: the
  // client holding its management token).
  virtual Result<std::shared_ptr<Provider>> Connect(const rotation::Provider& spec, const SecretReader& read,
                                                    const ClientSettings& settings) = 0;
};

class Registry {
 public:
  void Add(std::unique_ptr<ProviderFactory> factory);
  // The client of the provider whose section the spec has; kBadConfig when none is registered.
  Result<std::shared_ptr<Provider>> Connect(const rotation::Provider& spec, const SecretReader& read,
                                            const ClientSettings& settings) const;
  std::vector<std::string> Names() const;
  std::vector<std::string> CredentialSecrets(const rotation::Provider& spec) const;

 private:
  std::vector<std::unique_ptr<ProviderFactory>> factories_;
};

// Every provider built into keyroll (builtin.cpp), in a registry of its own: the factories
// keep clients built with the settings of the one that connects them (a ProviderCache each).
Registry BuiltinProviders();

}  // namespace keyroll::providers
