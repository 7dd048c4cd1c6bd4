#include "tests/fakes/kube/fake_kube_apiserver.h"

#include <openssl/rand.h>

#include <httplib.h>

#include <stdexcept>

#include "tests/fakes/common/secrets_ledger.h"
#include "tests/fakes/kube/api_error.h"
#include "tests/fakes/kube/dispatcher.h"
#include "tests/fakes/kube/garbage_collector.h"
#include "tests/fakes/kube/kubeconfig.h"
#include "tests/fakes/kube/mutations.h"
#include "tests/fakes/kube/object_rules.h"
#include "tests/fakes/kube/yaml_json.h"

namespace keyroll::fakes {
namespace {

std::string RandomToken() {
  unsigned char bytes[24];
  RAND_bytes(bytes, sizeof bytes);
  static const char hex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : bytes) {
    out += hex[b >> 4];
    out += hex[b & 15];
  }
  return out;
}

void SeedNamespaces(ServerState& state) {
  auto type = *state.registry.Find("", "v1", "namespaces");
  for (const char* name : {"default", "kube-system", "kube-public", "kube-node-lease"}) {
    CreateObject(state, {type, "v1", "", ""}, {{"metadata", {{"name", name}}}});
  }
}

}  // namespace

struct FakeKubeApiServer::Resolved {
  Target target;
};

FakeKubeApiServer::FakeKubeApiServer(FakeKubeOptions options)
    : options_(std::move(options)), state_(std::make_unique<ServerState>(options_.history)) {
  if (options_.admin_token.empty()) options_.admin_token = RandomToken();
  state_->settings.admin_user = options_.admin_user;
  state_->settings.bookmark_interval = options_.bookmark_interval;
  state_->access.AddToken(options_.admin_token, options_.admin_user);
  state_->access.AllowAll(options_.admin_user);
  if (!options_.plain_http) tls_ = GenerateTlsMaterial("fake-kube-apiserver", "kubernetes.default.svc");
  state_->settings.root_ca_pem = tls_.ca_cert_pem;
  SeedNamespaces(*state_);
}

FakeKubeApiServer::~FakeKubeApiServer() { Stop(); }

void FakeKubeApiServer::Start() {
  if (server_) throw std::runtime_error("fake-kube-apiserver: already started");
  // A pool no client can hold hostage (fake_server.h): bounded queue, short TLS handshake,
  // idle keep-alive connections give way while others wait.
  FakeServerOptions o;
  o.tls = options_.plain_http ? nullptr : &tls_;
  o.workers = static_cast<size_t>(options_.threads);
  o.max_queued = static_cast<size_t>(options_.threads);
  o.keep_alive_timeout = std::chrono::seconds(options_.keep_alive_timeout_seconds);
  o.keep_alive_max_count = 1000000;
  server_ = std::make_unique<FakeServer>(o);
  if (!server_->is_valid()) throw std::runtime_error("fake-kube-apiserver: TLS setup failed");
  server_->set_payload_max_length(64 * 1024 * 1024);
  ServerState* state = state_.get();
  auto handler = [state](const httplib::Request& req, httplib::Response& res) { Dispatch(*state, req, res); };
  server_->Get(".*", handler);
  server_->Post(".*", handler);
  server_->Put(".*", handler);
  server_->Patch(".*", handler);
  server_->Delete(".*", handler);
  try {
    port_ = server_->Serve("fake-kube-apiserver", options_.host, options_.port);
  } catch (const std::exception&) {
    server_.reset();
    throw;
  }
  state_->server_address = options_.host + ":" + std::to_string(port_);
  gc_ = std::make_unique<GarbageCollector>(*state_);
}

void FakeKubeApiServer::Stop() {
  if (!server_) return;
  state_->stopping = true;
  state_->store.Wake();
  server_->Stop();
  gc_.reset();
  server_.reset();
}

std::string FakeKubeApiServer::url() const {
  return std::string(options_.plain_http ? "http" : "https") + "://" + options_.host + ":" +
         std::to_string(port_);
}

std::string FakeKubeApiServer::Kubeconfig() const {
  return KubeconfigFor(options_.admin_user, options_.admin_token);
}

std::string FakeKubeApiServer::KubeconfigFor(const std::string& user, const std::string& token) const {
  return KubeconfigText(url(), tls_.ca_cert_pem, user, token);
}

void FakeKubeApiServer::WriteStateDir(const std::string& dir) const {
  fakes::WriteStateDir(dir, options_.plain_http ? nullptr : &tls_, port_, Kubeconfig(),
                       options_.admin_token);
}

void FakeKubeApiServer::AddUser(const std::string& token, const std::string& user,
                                std::vector<PolicyRule> rules) {
  state_->access.AddToken(token, user);
  state_->access.SetRules(user, std::move(rules));
}

FakeKubeApiServer::Resolved FakeKubeApiServer::Resolve(const std::string& api_version,
                                                       const std::string& plural) const {
  size_t slash = api_version.find('/');
  std::string group = slash == std::string::npos ? "" : api_version.substr(0, slash);
  std::string version = slash == std::string::npos ? api_version : api_version.substr(slash + 1);
  auto type = state_->registry.Find(group, version, plural);
  if (!type) throw NotFoundPath();
  return {Target{*type, version, "", ""}};
}

nlohmann::json FakeKubeApiServer::Create(const std::string& api_version, const std::string& plural,
                                         const std::string& ns, nlohmann::json object) {
  Target t = Resolve(api_version, plural).target;
  t.ns = t.type.namespaced ? ns : "";
  return *CreateObject(*state_, t, std::move(object)).object;
}

std::optional<nlohmann::json> FakeKubeApiServer::Get(const std::string& api_version,
                                                     const std::string& plural,
                                                     const std::string& ns,
                                                     const std::string& name) const {
  Target t = Resolve(api_version, plural).target;
  return state_->store.Get(t.type, t.type.namespaced ? ns : "", name);
}

std::vector<nlohmann::json> FakeKubeApiServer::List(const std::string& api_version,
                                                    const std::string& plural,
                                                    const std::string& ns) const {
  Target t = Resolve(api_version, plural).target;
  int64_t at = 0;
  std::vector<nlohmann::json> out;
  auto objects = state_->store.List(t.type, t.type.namespaced ? ns : "", 0, &at);
  for (auto& [key, o] : *objects) out.push_back(o);
  return out;
}

nlohmann::json FakeKubeApiServer::MergePatch(const std::string& api_version, const std::string& plural,
                                             const std::string& ns, const std::string& name,
                                             const nlohmann::json& patch, bool status) {
  Target t = Resolve(api_version, plural).target;
  t.ns = t.type.namespaced ? ns : "";
  t.name = name;
  return AsServed(t.type, t.version, *PatchObject(*state_, t, "application/merge-patch+json", patch.dump(), status).object);
}

void FakeKubeApiServer::Delete(const std::string& api_version, const std::string& plural,
                               const std::string& ns, const std::string& name) {
  Target t = Resolve(api_version, plural).target;
  t.ns = t.type.namespaced ? ns : "";
  t.name = name;
  DeleteObject(*state_, t);
}

std::vector<nlohmann::json> FakeKubeApiServer::CreateFromManifest(const std::string& yaml_text) {
  std::vector<nlohmann::json> created;
  for (auto& doc : ParseYamlDocuments(yaml_text)) {
    std::string api_version = doc.value("apiVersion", "");
    std::string kind = doc.value("kind", "");
    std::optional<ResourceType> type;
    for (const auto& t : state_->registry.All()) {
      for (const auto& v : t.versions) {
        if (t.kind == kind && t.ApiVersion(v) == api_version) type = t;
      }
    }
    if (!type) throw std::runtime_error("manifest: unknown kind " + api_version + " " + kind);
    std::string ns = doc.contains("metadata") ? doc["metadata"].value("namespace", "default") : "default";
    created.push_back(Create(api_version, type->plural, ns, doc));
  }
  return created;
}

}  // namespace keyroll::fakes
