#include "tests/fakes/sandbox/sandbox_world.h"

#include <httplib.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "operator/base/pem.h"
#include "operator/kube/resource.h"

namespace keyroll::sandbox {
namespace {

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteFile(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  if (!out) throw std::runtime_error("cannot write " + path);
}

template <typename R>
void Require(const R& result, const std::string& what) {
  if (!result.ok()) throw std::runtime_error(what + ": " + result.error().ToString());
}

}  // namespace

World::World(WorldOptions options) : options_(std::move(options)) {}

World::~World() {
  if (keyroll_) keyroll_->Stop();
  if (qstash_) qstash_->Stop();
  if (api_) api_->Stop();
}

void World::StartFakes() {
  std::filesystem::create_directories(options_.state_dir);
  api_ = std::make_unique<fakes::FakeKubeApiServer>();
  api_->Start();
  api_->WriteStateDir(options_.state_dir + "/kube");
  WriteFile(kubeconfig_path(), api_->Kubeconfig());
  std::filesystem::permissions(kubeconfig_path(), std::filesystem::perms::owner_read |
                                                      std::filesystem::perms::owner_write);

  qstash_ = std::make_unique<fakes::FakeQStash>();
  qstash_->Start();
  qstash_token_ = qstash_->CreateAccount();
  WriteFile(options_.state_dir + "/qstash-ca.crt", qstash_->ca_cert_pem());

  auto client = kube::Client::FromKubeconfig(kubeconfig_path(), "");
  Require(client, "connecting to the fake API server");
  client_ = std::move(*client);
}

void World::ApplyDemoObjects() {
  api_->CreateFromManifest(Slurp(options_.source_dir + "/crds/keyroll.dev_signingkeyrotations.yaml"));
  Require(client_->Create(kube::resources::kNamespaces, "",
                          {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", kNamespace}}}}),
          "creating namespace demo");
  Require(client_->Create(kube::resources::kSecrets, kNamespace,
                          {{"apiVersion", "v1"},
                           {"kind", "Secret"},
                           {"metadata", {{"name", "qstash"}}},
                           {"type", "Opaque"},
                           {"stringData", {{"QSTASH_TOKEN", qstash_token_}}}}),
          "creating the token Secret");
  // What a platform team would kubectl apply: a consumer reading the Secret, and the resource.
  auto deployment = nlohmann::json::parse(R"({
    "apiVersion": "apps/v1", "kind": "Deployment",
    "metadata": {"name": "demo-consumer", "labels": {"app": "demo-consumer"}},
    "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "demo-consumer"}},
      "template": {"metadata": {"labels": {"app": "demo-consumer"}},
        "spec": {"containers": [{"name": "app", "image": "demo-consumer",
          "envFrom": [{"secretRef": {"name": "qstash-signing-keys"}}]}]}}}})");
  Require(client_->Create(kube::resources::kDeployments, kNamespace, deployment), "creating the Deployment");
  // A second consumer of another kind: a StatefulSet reading the Secret the same way.
  auto statefulset = nlohmann::json::parse(R"({
    "apiVersion": "apps/v1", "kind": "StatefulSet",
    "metadata": {"name": "demo-ledger", "labels": {"app": "demo-ledger"}},
    "spec": {"replicas": 1, "serviceName": "demo-ledger", "selector": {"matchLabels": {"app": "demo-ledger"}},
      "template": {"metadata": {"labels": {"app": "demo-ledger"}},
        "spec": {"containers": [{"name": "app", "image": "demo-consumer",
          "envFrom": [{"secretRef": {"name": "qstash-signing-keys"}}]}]}}}})");
  Require(client_->Create(kube::resources::kStatefulSets, kNamespace, statefulset), "creating the StatefulSet");
  auto resource = nlohmann::json::parse(R"({
    "apiVersion": "keyroll.dev/v1alpha1", "kind": "SigningKeyRotation",
    "metadata": {"name": "payments"},
    "spec": {
      "provider": {"qstash": {"url": "", "tokenSecretRef": {"name": "qstash", "key": "QSTASH_TOKEN"}}},
      "target": {"secretName": "qstash-signing-keys"},
      "refreshInterval": "10s",
      "rotation": {"minInterval": "0s"},
      "consumers": {"deployments": [{"name": "demo-consumer"}], "statefulSets": [{"name": "demo-ledger"}],
                    "restart": "RolloutRestart", "maxConcurrentRestarts": 2}}})");
  resource["spec"]["provider"]["qstash"]["url"] = qstash_->base_url();
  Require(client_->Create(kube::resources::kSigningKeyRotations, kNamespace, resource),
          "creating the SigningKeyRotation");
}

void World::StartKeyroll() {
  testing::ProcessOptions opts;
  opts.argv = {options_.keyroll_binary,
               "--kubeconfig", kubeconfig_path(),
               "--provider-ca-file", options_.state_dir + "/qstash-ca.crt",
               "--metrics-bind-address", "127.0.0.1:0",
               "--health-probe-bind-address", "127.0.0.1:0",
               "--log-format", "text"};
  opts.log_path = keyroll_log_path();
  keyroll_ = std::make_unique<testing::Process>(opts);
}

bool World::RequestRotation(const std::string& request_id) {
  return client_
      ->MergePatch(kube::resources::kSigningKeyRotations, kNamespace, kResourceName,
                   {{"spec", {{"rotation", {{"requestID", request_id}}}}}})
      .ok();
}

nlohmann::json World::Resource() {
  auto r = client_->Get(kube::resources::kSigningKeyRotations, kNamespace, kResourceName);
  return r.ok() ? *r : nlohmann::json::object();
}

int World::Publish(int port, const std::string& body) {
  httplib::SSLClient c("127.0.0.1", qstash_->port());
  X509_STORE* store = X509_STORE_new();
  base::AddCertificatesFromPem(store, qstash_->ca_cert_pem());
  c.set_ca_cert_store(store);  // the client owns the store from here
  c.enable_server_certificate_verification(true);
  std::string destination = "http://127.0.0.1:" + std::to_string(port) + "/webhook";
  auto res = c.Post(("/v2/publish/" + destination).c_str(),
                    httplib::Headers{{"Authorization", "Bearer " + qstash_token_}}, body, "text/plain");
  if (!res || res->status != 201) return 0;
  auto answer = nlohmann::json::parse(res->body, nullptr, false);
  return answer.is_object() ? answer.value("destinationStatus", 0) : 0;
}

}  // namespace keyroll::sandbox
