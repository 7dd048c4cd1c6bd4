// fake_kube_apiserver: an in-process Kubernetes API server for tests and the sandbox. It
// speaks the real wire protocol over HTTPS (a CA generated at start-up) or plain HTTP:
// bearer-token auth, RBAC-like authorization, generic storage for built-in kinds and CRDs,
// resourceVersion/generation/status-subresource rules, merge/JSON patch, selectors, paging,
// watches with bookmarks and 410s, owner-reference GC, Table answers, discovery, and faults
// switchable at run time (here or over HTTP under /_fake/, see control_handler.cpp).
//
//   FakeKubeApiServer api;          // port 0: a free port
//   api.Start();
//   httplib::SSLClient c("127.0.0.1", api.port());  // trust api.ca_cert_pem()
//   api.faults().FailNext({.count = 2, .code = 429});
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/fakes/common/fake_server.h"
#include "tests/fakes/common/tls_cert.h"
#include "tests/fakes/kube/server_state.h"

namespace keyroll::fakes {

class GarbageCollector;

struct FakeKubeOptions {
  std::string host = "127.0.0.1";
  int port = 0;  // 0: pick a free port
  bool plain_http = false;
  std::string admin_token;  // random when empty
  std::string admin_user = "admin";
  size_t history = 10000;  // change events kept for watches and consistent paging
  std::chrono::milliseconds bookmark_interval{1000};
  int threads = 256;  // each open watch or busy keep-alive connection holds one
  int keep_alive_timeout_seconds = 30;
};

class FakeKubeApiServer {
 public:
  explicit FakeKubeApiServer(FakeKubeOptions options = {});
  ~FakeKubeApiServer();
  FakeKubeApiServer(const FakeKubeApiServer&) = delete;
  FakeKubeApiServer& operator=(const FakeKubeApiServer&) = delete;

  // Binds and serves; throws std::runtime_error when it cannot.
  void Start();
  // Ends every watch, stops serving and waits for the workers. Idempotent.
  void Stop();

  int port() const { return port_; }
  std::string url() const;  // https://127.0.0.1:PORT
  const std::string& ca_cert_pem() const { return tls_.ca_cert_pem; }
  const TlsMaterial& tls() const { return tls_; }
  const std::string& admin_token() const { return options_.admin_token; }
  std::string Kubeconfig() const;
  std::string KubeconfigFor(const std::string& user, const std::string& token) const;
  // Writes ca.crt, tls.crt, tls.key, port, kubeconfig and admin-token into dir.
  void WriteStateDir(const std::string& dir) const;

  // A user with a token and RBAC-like rules (apiGroups, resources, verbs, namespaces).
  void AddUser(const std::string& token, const std::string& user, std::vector<PolicyRule> rules);

  // Direct access to the objects, with the same rules as over HTTP (no auth, faults or
  // counting). api_version: "v1", "apps/v1", "keyroll.dev/v1alpha1". Throw ApiError.
  nlohmann::json Create(const std::string& api_version, const std::string& plural,
                        const std::string& ns, nlohmann::json object);
  std::optional<nlohmann::json> Get(const std::string& api_version, const std::string& plural,
                                    const std::string& ns, const std::string& name) const;
  std::vector<nlohmann::json> List(const std::string& api_version, const std::string& plural,
                                   const std::string& ns = "") const;
  nlohmann::json MergePatch(const std::string& api_version, const std::string& plural,
                            const std::string& ns, const std::string& name,
                            const nlohmann::json& patch, bool status = false);
  void Delete(const std::string& api_version, const std::string& plural, const std::string& ns,
              const std::string& name);
  // Creates every object of a YAML/JSON manifest (e.g. CRDs); returns what was stored.
  std::vector<nlohmann::json> CreateFromManifest(const std::string& yaml_text);
  int64_t resource_version() const { return state_->store.CurrentRv(); }

  // Faults (also reachable over HTTP under /_fake/).
  Faults& faults() { return state_->faults; }
  void DropWatches() { state_->DropWatchesNow(); }
  void DropWatchesEvery(std::chrono::milliseconds interval) { state_->DropWatchesEvery(interval); }
  void ExpireWatches(bool send_error = true, bool clear_history = true) {
    state_->ExpireWatches(send_error, clear_history);
  }

  RequestStats& stats() { return state_->stats; }
  ObjectStore& store() { return state_->store; }
  ResourceRegistry& registry() { return state_->registry; }
  AccessControl& access() { return state_->access; }
  ServerState& state() { return *state_; }

 private:
  struct Resolved;
  Resolved Resolve(const std::string& api_version, const std::string& plural) const;

  FakeKubeOptions options_;
  TlsMaterial tls_;
  std::unique_ptr<ServerState> state_;
  std::unique_ptr<FakeServer> server_;
  std::unique_ptr<GarbageCollector> gc_;
  int port_ = 0;
};

}  // namespace keyroll::fakes
