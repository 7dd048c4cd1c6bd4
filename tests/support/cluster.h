// cluster: TestCluster, the API server every integration/e2e test talks to. With
// KEYROLL_TEST_KUBECONFIG set it uses that (real) cluster; otherwise it starts the
// fake-kube-apiserver process (TLS, port 0). Either way it creates a unique namespace,
// deleted at teardown, and offers a ready keyroll::kube::Client. Fault switches and request
// stats exist only on the fake (is_fake()); tests run their non-fault assertions in both modes.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "operator/kube/client.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

// The rest of a test needs the fake API server (a fault, or its request counters): on a real
// cluster it ends as skipped with `what` was not checked, never as a silent pass. Needs gtest.
#define KEYROLL_SKIP_UNLESS_FAKE(cluster, what)                                              \
  if (!(cluster).is_fake())                                                                  \
  GTEST_SKIP() << "not checked on a real cluster (only the fake API server can): " << what

namespace keyroll::testing {

// True when KEYROLL_TEST_KUBECONFIG names a real cluster: a test that builds its clusters
// later can decide at its start.
bool RealClusterConfigured();

struct TestClusterOptions {
  std::vector<std::string> fake_args;  // extra fake-kube-apiserver flags, e.g. --token T:U
  kube::TransportOptions transport;    // for the ready client
};

class TestCluster {
 public:
  explicit TestCluster(TestClusterOptions options = {});  // throws std::runtime_error on failure
  ~TestCluster();
  TestCluster(const TestCluster&) = delete;
  TestCluster& operator=(const TestCluster&) = delete;

  bool is_fake() const { return fake_ != nullptr; }
  const std::string& kubeconfig_path() const { return kubeconfig_path_; }
  const std::string& namespace_name() const { return namespace_; }
  kube::Client& client() { return *client_; }
  const kube::Config& config() const { return config_; }
  const TempDir& temp_dir() const { return dir_; }

  // A kubeconfig for the same server and CA with `user_yaml` as the user's fields
  // (indented by the caller for "  user:\n", e.g. "    tokenFile: /x\n"). Returns its path.
  std::string WriteKubeconfig(const std::string& file_name, const std::string& user_yaml) const;

  // ---- fake only (throw std::logic_error on a real cluster) ----
  const std::string& admin_token() const;
  nlohmann::json Stats();                     // GET /_fake/stats
  nlohmann::json Journal(const std::string& ns);  // GET /_fake/journal?namespace=ns (write_journal.h)
  nlohmann::json Control(const std::string& path, const nlohmann::json& body = nlohmann::json::object());
  void DropWatches() { Control("watches/drop"); }
  void DropWatchesEvery(std::chrono::milliseconds interval) {
    Control("watches/drop-every", {{"interval_ms", interval.count()}});
  }
  void ExpireWatches() { Control("watches/expire"); }
  void FailNext(int count, int code, int retry_after_seconds = 1, const std::string& method = "",
                const std::string& path_prefix = "");
  void ConflictNextWrites(int count) { Control("conflict-next-writes", {{"count", count}}); }
  void ResetFaults() { Control("faults/reset"); }
  Process& fake_process();

 private:
  void RequireFake() const;

  TestClusterOptions options_;
  TempDir dir_;
  std::unique_ptr<Process> fake_;
  std::string admin_token_;
  std::string kubeconfig_path_;
  kube::Config config_;
  std::unique_ptr<kube::Client> client_;
  std::string namespace_;
};

}  // namespace keyroll::testing
