// e2e_environment: everything one end-to-end test needs, set up in its own namespace —
// a TestCluster (fake API server, or KEYROLL_TEST_KUBECONFIG), the keyroll CRD, an
// in-process QStash fake over TLS with one account and its token Secret ("qstash",
// key QSTASH_TOKEN), a simulated deployment controller and (unless told not to) the keyroll
// operator process watching the namespace; the consumer gate judged in the API server's order.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tests/fakes/qstash/fake_qstash.h"
#include "tests/support/cluster.h"
#include "tests/support/e2e_auth0.h"
#include "tests/support/e2e_workloads.h"
#include "tests/support/e2e_objects.h"
#include "tests/support/e2e_operator.h"
#include "tests/support/e2e_secrecy.h"
#include "tests/support/gate_oracle.h"

// The keyroll executable is built with the tests: its absence is a failure, never a skip.
#define KEYROLL_E2E_REQUIRE_OPERATOR() \
  ASSERT_TRUE(::keyroll::testing::KeyrollBinaryAvailable()) << "the keyroll binary is not built"

// The rest of a test steers a simulated rollout (WorkloadSimulator's Hold, Fail, ReplacePods,
// PauseForPromotion): on a real cluster its controllers roll workloads out and the simulator
// stands down, so the test ends as skipped with `what` it needed, before the first steer.
#define KEYROLL_SKIP_UNLESS_SIMULATED_ROLLOUTS(env, what) \
  if (!(env).cluster().is_fake()) GTEST_SKIP() << ::keyroll::testing::kNeedsSimulatedRollouts << what

// Every rotation of SigningKeyRotation `skr` came after each consumer (display names, the
// arguments after `provider_rotations`) completed a rollout of the keys of that moment, in the
// API server's order, and the provider (`provider_rotations`: its count) rotated once per intent.
// A real cluster keeps no write journal: there the test ends as skipped, so this goes last.
#define KEYROLL_EXPECT_GATE_HELD(env, skr, provider_rotations, ...) \
  KEYROLL_EXPECT_GATE_HELD_FOR_(env, ::keyroll::testing::GateIntent::kRotation, skr, provider_rotations, __VA_ARGS__)

// The same for Auth0's revocations of the previous key (status.pendingRevocation):
// `provider_revocations` is the tenant's count. Also last (it skips on a real cluster).
#define KEYROLL_EXPECT_REVOCATION_GATE_HELD(env, skr, provider_revocations, ...)                              \
  KEYROLL_EXPECT_GATE_HELD_FOR_(env, ::keyroll::testing::GateIntent::kRevocation, skr, provider_revocations, \
                                __VA_ARGS__)

#define KEYROLL_EXPECT_GATE_HELD_FOR_(env, intent, skr, provider_count, ...)                                       \
  do {                                                                                                             \
    KEYROLL_SKIP_UNLESS_FAKE((env).cluster(), ::keyroll::testing::kGateNeedsJournal);                             \
    EXPECT_EQ((env).GateViolations(skr, {__VA_ARGS__}, provider_count, intent), std::vector<std::string>{});      \
  } while (0)

namespace keyroll::testing {

inline constexpr const char* kNeedsSimulatedRollouts =
    "not checked on a real cluster (its controllers roll workloads out; the simulator cannot steer them): ";

struct E2EOptions {
  bool start_operator = true;
  std::map<std::string, std::string> operator_env;  // e.g. KEYROLL_FAILPOINTS
  std::vector<std::string> operator_args;           // extra flags of every start, e.g. --lease-duration 3s
  bool leader_elect = false;  // --leader-elect with the Lease in the test's namespace
  std::chrono::milliseconds rollout_delay{200};
  TestClusterOptions cluster;              // e.g. --authz/--token for the fake
  // Non-empty: the operator's kubeconfig uses this user (TestCluster::WriteKubeconfig's
  // user_yaml, e.g. "    token: T\n") instead of the admin; the test's own client stays admin.
  std::string operator_user_yaml;
  bool auth0 = false;  // also an Auth0 tenant (e2e_auth0.h) with its client Secret "auth0"
  // false: no WorkloadSimulator (it polls the namespace every ~50 ms; benchmarks at scale
  // bring their own and must not count its requests). workloads() is then unusable.
  bool simulate_workloads = true;
  bool apply_keyroll_crd = true;  // false: the cluster starts without keyroll's CRD
};

class E2EEnvironment {
 public:
  explicit E2EEnvironment(E2EOptions options = {});  // throws std::runtime_error
  ~E2EEnvironment();

  kube::Client& kube() { return cluster_->client(); }
  const std::string& ns() const { return cluster_->namespace_name(); }
  TestCluster& cluster() { return *cluster_; }
  fakes::FakeQStash& qstash() { return *qstash_; }
  const std::string& token() const { return token_; }  // the account's token (never print)
  std::string qstash_url() const { return qstash_->base_url(); }
  fakes::FakeAccountState account() const { return *qstash_->Account(token_); }
  KeyrollOperator& keyroll() { return *operator_; }
  WorkloadSimulator& workloads() { return *simulator_; }
  // The consumer gate of SigningKeyRotation `skr` in the API server's order (gate_oracle.h);
  // needs the fake's write journal: tests use KEYROLL_EXPECT_GATE_HELD.
  std::vector<std::string> GateViolations(const std::string& skr, const std::vector<std::string>& consumers,
                                          int provider_count, GateIntent intent = GateIntent::kRotation);
  Auth0Tenant& auth0() { return *auth0_; }  // only with E2EOptions::auth0

  void StartOperator(const std::map<std::string, std::string>& env = {});

  // Convenience: create objects in the namespace.
  json CreateSkr(const json& skr) { return CreateObject(kube(), kube::resources::kSigningKeyRotations, ns(), skr); }
  json CreateDeployment(const json& d) { return CreateObject(kube(), kube::resources::kDeployments, ns(), d); }
  // A Deployment, StatefulSet or DaemonSet (by its kind).
  json CreateWorkload(const json& w) { return CreateObject(kube(), WorkloadResource(w), ns(), w); }
  json Skr(const std::string& name) { return GetSkr(kube(), ns(), name); }
  json WaitSkr(const std::string& name, const std::function<bool(const json&)>& pred,
               std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
    return WaitForSkr(kube(), ns(), name, pred, timeout);
  }
  std::optional<std::map<std::string, std::string>> SecretData(const std::string& name) {
    return ReadSecretData(kube(), ns(), name);
  }
  // True when the Secret holds exactly the fake's current keys under the default data keys.
  bool SecretMatchesProvider(const std::string& secret_name);

  // Every leak found: keyroll's logs, metrics (if it runs), and the namespace's objects;
  // the secrets are the QStash fake's and, with auth0, the tenant's (client secrets,
  // management tokens, private keys).
  std::vector<std::string> FindLeaks();

 private:
  E2EOptions options_;
  std::unique_ptr<TestCluster> cluster_;
  std::unique_ptr<fakes::FakeQStash> qstash_;
  std::string token_;
  std::string ca_file_;
  std::unique_ptr<KeyrollOperator> operator_;
  std::unique_ptr<WorkloadSimulator> simulator_;
  std::unique_ptr<Auth0Tenant> auth0_;
};

}  // namespace keyroll::testing
