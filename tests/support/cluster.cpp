#include "tests/support/cluster.h"

#include "tests/support/secret_accounts.h"
#include "tests/support/suite_artifacts.h"

#include <cstdlib>
#include <filesystem>
#include <random>
#include <stdexcept>

#include <spdlog/spdlog.h>

#include "operator/base/encoding.h"
#include "tests/support/wait.h"

namespace keyroll::testing {
namespace {

std::string RandomSuffix() {
  static const char* chars = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::mt19937_64 rng(std::random_device{}());
  std::string s;
  for (int i = 0; i < 8; ++i) s += chars[rng() % 36];
  return s;
}

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\r')) s.pop_back();
  return s;
}

}  // namespace

bool RealClusterConfigured() {
  const char* real = std::getenv("KEYROLL_TEST_KUBECONFIG");
  return real && *real;
}

TestCluster::TestCluster(TestClusterOptions options) : options_(std::move(options)) {
  // KEYROLL_TEST_LOG=debug shows every request the client makes.
  if (const char* level = std::getenv("KEYROLL_TEST_LOG")) spdlog::set_level(spdlog::level::from_str(level));
  if (RealClusterConfigured()) {
    kubeconfig_path_ = std::getenv("KEYROLL_TEST_KUBECONFIG");
  } else {
    std::string state = dir_.File("fake");
    ProcessOptions po;
    po.argv = {BuiltBinary("fake-kube-apiserver"), "--listen", "127.0.0.1:0", "--state-dir", state};
    po.argv.insert(po.argv.end(), options_.fake_args.begin(), options_.fake_args.end());
    po.log_path = dir_.File("fake-kube-apiserver.log");
    fake_ = std::make_unique<Process>(po);
    bool up = WaitUntil([&] {
      return fake_->Output().find("listening on") != std::string::npos || !fake_->running();
    }, std::chrono::seconds(30));
    if (!up || !fake_->running()) {
      throw std::runtime_error("fake-kube-apiserver did not start: " + fake_->Output());
    }
    kubeconfig_path_ = state + "/kubeconfig";
    admin_token_ = Trim(ReadFile(state + "/admin-token"));
  }
  auto cfg = kube::LoadConfig(kubeconfig_path_);
  if (!cfg) throw std::runtime_error("TestCluster: " + cfg.error().ToString());
  config_ = *cfg;
  auto client = kube::Client::Create(config_, options_.transport);
  if (!client) throw std::runtime_error("TestCluster: " + client.error().ToString());
  client_ = std::move(*client);
  namespace_ = "keyroll-test-" + RandomSuffix();
  auto ns = client_->Create(kube::resources::kNamespaces, "",
                            {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", namespace_}}}});
  if (!ns) throw std::runtime_error("TestCluster: cannot create namespace: " + ns.error().ToString());
}

TestCluster::~TestCluster() {
  if (client_ && SuiteArtifactsWanted()) {
    // Objects for the whole-suite secrecy scan; on the fake, of every namespace. Secrets only
    // as keyroll writes them (the target Secrets: keys yes, tokens never; the tests' own
    // credential Secrets hold tokens by design and are left out).
    const std::string scope = is_fake() ? "" : namespace_;
    const std::string keyroll_secrets = "app.kubernetes.io/managed-by=keyroll";
    const std::vector<std::pair<const kube::ResourceRef*, std::string>> kept = {
        {&kube::resources::kEvents, ""},      {&kube::resources::kSigningKeyRotations, ""},
        {&kube::resources::kLeases, ""},      {&kube::resources::kDeployments, ""},
        {&kube::resources::kStatefulSets, ""}, {&kube::resources::kDaemonSets, ""},
        {&kube::resources::kConfigMaps, ""},  {&kube::resources::kSecrets, keyroll_secrets}};
    for (const auto& [ref, selector] : kept) {
      kube::ListOptions options;
      options.label_selector = selector;
      if (auto list = client_->ListAll(*ref, scope, options)) {
        std::string text;
        for (const auto& item : list->items) text += item.dump() + "\n";
        SaveSuiteArtifact("objects-" + ref->plural, text);
      }
    }
    SaveSuiteArtifact("secret-accounts", TargetSecretAccounts(*client_, scope));
  }
  if (client_ && !namespace_.empty()) {
    (void)client_->Delete(kube::resources::kNamespaces, "", namespace_);
  }
  client_.reset();
  if (fake_) fake_->Stop(std::chrono::seconds(5));
}

std::string TestCluster::WriteKubeconfig(const std::string& file_name, const std::string& user_yaml) const {
  std::string cluster = "    server: " + config_.server + "\n";
  if (!config_.ca_pem.empty()) {
    cluster += "    certificate-authority-data: " + base::Base64Encode(config_.ca_pem) + "\n";
  }
  if (config_.insecure_skip_tls_verify) cluster += "    insecure-skip-tls-verify: true\n";
  return dir_.Write(file_name,
                    "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n" + cluster +
                        "users:\n- name: u\n  user:\n" + user_yaml +
                        "contexts:\n- name: x\n  context:\n    cluster: c\n    user: u\n    namespace: " +
                        namespace_ + "\ncurrent-context: x\n");
}

void TestCluster::RequireFake() const {
  if (!fake_) throw std::logic_error("TestCluster: fault switches exist only on the fake API server");
}

const std::string& TestCluster::admin_token() const {
  RequireFake();
  return admin_token_;
}

Process& TestCluster::fake_process() {
  RequireFake();
  return *fake_;
}

nlohmann::json TestCluster::Control(const std::string& path, const nlohmann::json& body) {
  RequireFake();
  auto r = client_->Request("POST", "/_fake/" + path, body.dump(), "application/json");
  if (!r) throw std::runtime_error("fake control " + path + ": " + r.error().ToString());
  return *r;
}

nlohmann::json TestCluster::Stats() {
  RequireFake();
  auto r = client_->Request("GET", "/_fake/stats");
  if (!r) throw std::runtime_error("fake stats: " + r.error().ToString());
  return *r;
}

nlohmann::json TestCluster::Journal(const std::string& ns) {
  RequireFake();
  auto r = client_->Request("GET", "/_fake/journal?namespace=" + ns);
  if (!r) throw std::runtime_error("fake journal: " + r.error().ToString());
  return *r;
}

void TestCluster::FailNext(int count, int code, int retry_after_seconds, const std::string& method,
                           const std::string& path_prefix) {
  Control("fail-next", {{"count", count}, {"code", code}, {"retry_after_seconds", retry_after_seconds},
                        {"method", method}, {"path_prefix", path_prefix}});
}

}  // namespace keyroll::testing
