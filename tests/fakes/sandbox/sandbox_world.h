// sandbox_world: everything the sandbox runs — the fake API server and the fake QStash
// in-process, keyroll as a child process — plus the demo objects: the CRD, namespace
// "demo", the QStash token Secret, the consumer Deployment and StatefulSet, and the
// SigningKeyRotation that names both.
#pragma once

#include <memory>
#include <string>

#include "operator/kube/client.h"
#include "tests/fakes/kube/fake_kube_apiserver.h"
#include "tests/fakes/qstash/fake_qstash.h"
#include "tests/support/process.h"

namespace keyroll::sandbox {

struct WorldOptions {
  std::string state_dir;        // kubeconfig, CA files and logs go here
  std::string source_dir;       // the repository (for crds/)
  std::string keyroll_binary;
  std::string demo_consumer_binary;
};

inline constexpr const char* kNamespace = "demo";
inline constexpr const char* kResourceName = "payments";
inline constexpr const char* kSecretName = "qstash-signing-keys";
inline constexpr const char* kDeployment = "demo-consumer";
inline constexpr const char* kStatefulSet = "demo-ledger";

class World {
 public:
  explicit World(WorldOptions options);
  ~World();

  void StartFakes();                 // API server + QStash; writes the kubeconfig
  void ApplyDemoObjects();           // CRD, namespace, token Secret, Deployment, StatefulSet, resource
  void StartKeyroll();               // the operator, logging to state_dir/keyroll.log
  bool KeyrollRunning() { return keyroll_ && keyroll_->running(); }

  kube::Client& client() { return *client_; }
  fakes::FakeQStash& qstash() { return *qstash_; }
  const std::string& qstash_token() const { return qstash_token_; }
  std::string kubeconfig_path() const { return options_.state_dir + "/kubeconfig"; }
  std::string keyroll_log_path() const { return options_.state_dir + "/keyroll.log"; }
  std::string api_url() const { return api_->url(); }
  const WorldOptions& options() const { return options_; }

  // Asks for one rotation the GitOps way: a new spec.rotation.requestID.
  bool RequestRotation(const std::string& request_id);
  // The resource as the API server has it now (empty object when unavailable).
  nlohmann::json Resource();
  // Publishes one message through the fake QStash to a demo consumer on `port`;
  // returns the consumer's HTTP status (200 verified, 401 rejected, 0 unreachable).
  int Publish(int port, const std::string& body);

 private:
  WorldOptions options_;
  std::unique_ptr<fakes::FakeKubeApiServer> api_;
  std::unique_ptr<fakes::FakeQStash> qstash_;
  std::unique_ptr<kube::Client> client_;
  std::unique_ptr<testing::Process> keyroll_;
  std::string qstash_token_;
};

}  // namespace keyroll::sandbox
