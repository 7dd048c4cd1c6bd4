#include "tests/support/e2e_environment.h"

#include <stdexcept>

namespace keyroll::testing {

E2EEnvironment::E2EEnvironment(E2EOptions options) : options_(std::move(options)) {
  cluster_ = std::make_unique<TestCluster>(options_.cluster);
  if (options_.apply_keyroll_crd) ApplyKeyrollCrd(kube(), ns());
  qstash_ = std::make_unique<fakes::FakeQStash>();
  qstash_->Start();
  token_ = qstash_->CreateAccount();
  ca_file_ = cluster_->temp_dir().Write("qstash-ca.crt", qstash_->ca_cert_pem());
  CreateObject(kube(), kube::resources::kSecrets, ns(),
               {{"apiVersion", "v1"}, {"kind", "Secret"}, {"metadata", {{"name", "qstash"}}},
                {"type", "Opaque"}, {"stringData", {{"QSTASH_TOKEN", token_}}}});
  if (options_.auth0) auth0_ = std::make_unique<Auth0Tenant>(kube(), ns());
  if (options_.simulate_workloads)
    simulator_ = std::make_unique<WorkloadSimulator>(kube(), ns(), options_.rollout_delay);
  std::string kubeconfig = options_.operator_user_yaml.empty()
                               ? cluster_->kubeconfig_path()
                               : cluster_->WriteKubeconfig("operator.kubeconfig", options_.operator_user_yaml);
  std::vector<std::string> args = options_.operator_args;
  if (options_.leader_elect) args.insert(args.end(), {"--leader-elect", "--leader-election-namespace", ns()});
  operator_ = std::make_unique<KeyrollOperator>(KeyrollOptions{
      kubeconfig, ns(), ca_file_, cluster_->temp_dir().path(), args});
  if (options_.start_operator) StartOperator(options_.operator_env);
}

std::vector<std::string> E2EEnvironment::GateViolations(const std::string& skr,
                                                        const std::vector<std::string>& consumers,
                                                        int provider_count, GateIntent intent) {
  return GateViolationsInServerOrder(cluster_->Journal(ns()), skr, consumers, provider_count, intent);
}

E2EEnvironment::~E2EEnvironment() {
  // The operator first (it talks to both fakes), the cluster last (deletes the namespace).
  if (operator_) operator_->Stop();
  operator_.reset();
  simulator_.reset();
  auth0_.reset();
  if (qstash_) qstash_->Stop();
}

void E2EEnvironment::StartOperator(const std::map<std::string, std::string>& env) {
  operator_->Start(env);
  if (!operator_->WaitReady()) {
    throw std::runtime_error("keyroll /readyz never answered 200; log tail:\n" + operator_->CurrentLog());
  }
}

bool E2EEnvironment::SecretMatchesProvider(const std::string& secret_name) {
  auto data = SecretData(secret_name);
  if (!data) return false;
  auto acc = account();
  return (*data)["QSTASH_CURRENT_SIGNING_KEY"] == acc.current && (*data)["QSTASH_NEXT_SIGNING_KEY"] == acc.next;
}

std::vector<std::string> E2EEnvironment::FindLeaks() {
  auto secrets = qstash_->AllSecrets();
  if (auth0_) {
    auto more = auth0_->AllSecrets();
    secrets.insert(secrets.end(), more.begin(), more.end());
  }
  SecrecyScanner scanner(secrets);
  auto leaks = scanner.Scan("keyroll log", operator_->AllLogs());
  if (operator_->running()) {
    auto metrics = operator_->Metrics();
    auto found = scanner.Scan("metrics", metrics.body);
    leaks.insert(leaks.end(), found.begin(), found.end());
  }
  auto found = scanner.ScanNamespace(kube(), ns());
  leaks.insert(leaks.end(), found.begin(), found.end());
  return leaks;
}

}  // namespace keyroll::testing
