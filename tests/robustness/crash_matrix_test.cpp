// Crash matrix (issue 6, part 1): kill -9 the operator at every failpoint of reconcile and
// rotation (operator/runtime/failpoint.h lists them) and check that it recovers. One
// scenario per way through the code: a first sync (new resource), a rotation request
// (spec.rotation.requestID or the rotate-request annotation), an out-of-band rotation (the
// provider's console), leader election, and Auth0's revocation of the previous key. For each kill point the test stops keyroll,
// makes the change, starts keyroll with KEYROLL_FAILPOINTS="<point>=kill@N" so the change is
// handled by the startup reconcile and hits the point deterministically, waits until the
// process killed itself there, starts it again without failpoints and checks every invariant
// of robustness_invariants.h. The ledger is cumulative: every kill point's rotation counts.
// Crashes before the provider answered leave an intent that is resolved after the settle
// period, shortened to 1 s here (nothing was sent that could still land).
// Kills come from failpoints, which works on a real cluster too; the rollouts come from the
// simulated deployment controller, so these scenarios need the fake (tests/e2e/README.md).
#include <gtest/gtest.h>

#include <iostream>

#include "tests/support/robustness_invariants.h"
#include "tests/support/wait.h"

namespace keyroll::testing {
namespace {
namespace KEYROLL_UNITY_ID {

struct KillPoint {
  std::string failpoint;
  int hit = 1;
  std::string Spec() const { return failpoint + "=kill@" + std::to_string(hit); }
};

const std::map<std::string, std::string> kRecoveryEnv = {{"KEYROLL_PENDING_ROTATION_SETTLE", "1s"}};

struct MatrixRun {
  std::string scenario;
  int kill_points = 0;
  int kills = 0;
  std::vector<std::string> violations{};

  void Add(const KillPoint& p, const std::vector<std::string>& found) {
    for (const auto& v : found) violations.push_back(p.Spec() + ": " + v);
  }
  void Report() const {
    std::cout << "[crash matrix] " << scenario << ": " << kill_points << " kill points, " << kills
              << " kills, " << violations.size() << " invariant violations\n";
    for (const auto& v : violations) std::cout << "  violation: " << v << "\n";
  }
};

// Starts keyroll armed to kill itself at `p`, waits for it to do so, then starts it clean.
// False (with a violation) when the point was never reached.
bool CrashThereAndRestart(E2EEnvironment& env, const KillPoint& p, MatrixRun& run) {
  ++run.kill_points;
  auto env_vars = kRecoveryEnv;
  env_vars["KEYROLL_FAILPOINTS"] = p.Spec();
  env.keyroll().Start(env_vars);  // not StartOperator: the kill may come before /readyz
  bool died = env.keyroll().WaitExit(std::chrono::seconds(20));
  if (!died) {
    run.violations.push_back(p.Spec() + ": the failpoint was never reached");
    env.keyroll().Kill();
  } else if (env.keyroll().CurrentLog().find("failpoint: killing the process") == std::string::npos) {
    run.violations.push_back(p.Spec() + ": keyroll exited, but not at the failpoint");
  } else {
    ++run.kills;
  }
  env.StartOperator(kRecoveryEnv);
  return died;
}

void CheckRecovered(E2EEnvironment& env, const RotationLedger& ledger, const KillPoint& p, MatrixRun& run) {
  bool converged = WaitConverged(env, ledger);
  auto found = InvariantViolations(env, ledger);
  if (!converged && found.empty()) found.push_back("did not converge in time (and no invariant names why)");
  run.Add(p, found);
}

json TwoConsumerSkr(E2EEnvironment& env, const std::string& name, const std::string& secret,
                    const std::vector<std::string>& consumers) {
  json skr = MakeQStashSkr(name, env.qstash_url(), secret, consumers);
  skr["spec"]["consumers"]["maxConcurrentRestarts"] = 2;  // both restarts in one reconcile
  return skr;
}

void CreateConsumers(E2EEnvironment& env, const std::string& secret, const std::vector<std::string>& names) {
  env.CreateDeployment(MakeDeployment(names.at(0), secret, SecretUse::kEnvFrom));
  env.CreateDeployment(MakeDeployment(names.at(1), secret, SecretUse::kVolume));
}

E2EOptions FastRollouts() {
  E2EOptions o;
  o.start_operator = false;
  o.rollout_delay = std::chrono::milliseconds(20);
  return o;
}

// A converged resource "payments" with consumers api and worker; returns its ledger.
RotationLedger SetUpPayments(E2EEnvironment& env) {
  RotationLedger l{"payments", "qstash-signing-keys", {"api", "worker"}};
  CreateConsumers(env, l.secret, l.consumers);
  env.CreateSkr(TwoConsumerSkr(env, l.skr, l.secret, l.consumers));
  env.StartOperator(kRecoveryEnv);
  EXPECT_TRUE(WaitConverged(env, l)) << ConditionSummary(env.Skr(l.skr));
  return l;
}

// Stops keyroll and deletes the previous kill point's resource and consumers: one resource at a
// time (two on one provider account would conflict).
void StopAndDelete(E2EEnvironment& env, const std::optional<RotationLedger>& previous) {
  if (env.keyroll().running()) env.keyroll().Stop();
  if (!previous) return;
  (void)env.kube().Delete(kube::resources::kSigningKeyRotations, env.ns(), previous->skr);
  for (const auto& c : previous->consumers) (void)env.kube().Delete(kube::resources::kDeployments, env.ns(), c);
}

void Finish(E2EEnvironment& env, const MatrixRun& run, size_t points) {
  run.Report();
  EXPECT_EQ(run.kill_points, static_cast<int>(points));
  EXPECT_EQ(run.kills, run.kill_points) << "every kill point must be reached";
  EXPECT_EQ(run.violations, std::vector<std::string>{});
  EXPECT_EQ(env.FindLeaks(), std::vector<std::string>{});
  KEYROLL_SKIP_UNLESS_FAKE(env.cluster(), kGateNeedsJournal);  // called last: the test ends here
}

// A first sync writes the Secret, restarts both consumers, writes the status and emits one
// KeysSynced event that names the restarts too (issue 17: one event per reconcile, not one per
// consumer); the second status write records the finished rollouts.
const std::vector<KillPoint> kFirstSyncPoints = {
    {"before-provider-read"}, {"after-provider-read"}, {"before-secret-write"}, {"after-secret-write"},
    {"before-restart", 1},    {"after-restart", 1},    {"during-restarts"},     {"before-restart", 2},
    {"after-restart", 2},     {"before-status-write"}, {"after-status-write"},  {"before-event", 1},
    {"after-event", 1},       {"before-status-write", 2}, {"after-status-write", 2},
};

TEST(RobustnessCrashMatrix, FirstSyncSurvivesAKillAtEveryStep) {
  KEYROLL_E2E_REQUIRE_OPERATOR();
  E2EEnvironment env(FastRollouts());
  MatrixRun run{"first sync"};
  std::optional<RotationLedger> previous;
  for (size_t i = 0; i < kFirstSyncPoints.size(); ++i) {
    const KillPoint& p = kFirstSyncPoints[i];
    StopAndDelete(env, previous);
    const std::string n = "fs" + std::to_string(i);
    RotationLedger l{n, n + "-keys", {n + "-api", n + "-worker"}};
    CreateConsumers(env, l.secret, l.consumers);
    env.CreateSkr(TwoConsumerSkr(env, l.skr, l.secret, l.consumers));
    CrashThereAndRestart(env, p, run);
    CheckRecovered(env, l, p, run);
    previous = l;
  }
  Finish(env, run, kFirstSyncPoints.size());
}

// A first sync of four consumers, two at a time: batch 1 with the first status write and the one
// event naming the wave, then batch 2, whose progress is held in memory (held_status.h) until the
// Ready write. A kill loses the held progress; the consumers' templates say who was restarted, so
// nobody is restarted twice.
const std::vector<KillPoint> kWavePoints = {
    {"after-restart", 2}, {"after-status-write", 1}, {"after-restart", 3}, {"after-restart", 4},
    {"before-status-write", 2},
};

TEST(RobustnessCrashMatrix, AWaveOfRestartsInBatchesSurvivesAKillBetweenBatches) {
  KEYROLL_E2E_REQUIRE_OPERATOR();
  E2EEnvironment env(FastRollouts());
  KEYROLL_SKIP_UNLESS_SIMULATED_ROLLOUTS(env, "counts each consumer's rollouts (WorkloadSimulator)");
  MatrixRun run{"wave in batches"};
  std::optional<RotationLedger> previous;
  for (size_t i = 0; i < kWavePoints.size(); ++i) {
    const KillPoint& p = kWavePoints[i];
    StopAndDelete(env, previous);
    const std::string n = "wave" + std::to_string(i);
    RotationLedger l{n, n + "-keys", {n + "-a", n + "-b", n + "-c", n + "-d"}};
    for (const auto& c : l.consumers) env.CreateDeployment(MakeDeployment(c, l.secret, SecretUse::kEnvFrom));
    env.CreateSkr(TwoConsumerSkr(env, l.skr, l.secret, l.consumers));  // 2 at a time: two batches
    CrashThereAndRestart(env, p, run);
    CheckRecovered(env, l, p, run);
    const std::string hash = StrAt(env.Skr(l.skr), "/status/keys/keysHash");
    for (const auto& c : l.consumers) {
      int restarted = 0;
      for (const auto& r : env.workloads().RolloutsOf(c)) restarted += !hash.empty() && r.keys_hash == hash;
      if (restarted != 1)
        run.violations.push_back(p.Spec() + ": " + c + " rolled out " + std::to_string(restarted) + " times with the keys");
    }
    previous = l;
  }
  Finish(env, run, kWavePoints.size());
}

// A rotation: the intent (status write 1, event RotationStarted), the rotate call, then the
// Secret, both restarts, status write 2 and the events Rotated and KeysSynced (which names the
// restarts; events 2-3); status write 3 records the finished rollouts.
const std::vector<KillPoint> kRotationPoints = {
    {"before-provider-read"}, {"after-provider-read"},  {"before-status-write", 1}, {"after-status-write", 1},
    {"before-event", 1},      {"after-event", 1},       {"after-intent-written"},   {"before-rotate"},
    {"after-rotate"},         {"before-secret-write"},  {"after-secret-write"},     {"before-restart", 1},
    {"during-restarts"},      {"before-restart", 2},    {"after-restart", 2},       {"before-status-write", 2},
    {"after-status-write", 2}, {"before-event", 2},     {"after-event", 2},         {"after-event", 3},
    {"after-status-write", 3},
};

TEST(RobustnessCrashMatrix, RotationSurvivesAKillAtEveryStep) {
  KEYROLL_E2E_REQUIRE_OPERATOR();
  E2EEnvironment env(FastRollouts());
  RotationLedger l = SetUpPayments(env);
  MatrixRun run{"rotation"};
  for (size_t i = 0; i < kRotationPoints.size(); ++i) {
    env.keyroll().Stop();
    const std::string request = "r" + std::to_string(i);
    if (i % 2 == 0) {
      RequestRotation(env.kube(), env.ns(), l.skr, request);
      l.request_id = request;
    } else {  // what `keyroll rotate` sets
      PatchSkr(env.kube(), env.ns(), l.skr, {{"metadata", {{"annotations", {{"keyroll.dev/rotate-request", request}}}}}});
      l.rotate_request = request;
    }
    ++l.rotations_due;
    CrashThereAndRestart(env, kRotationPoints[i], run);
    CheckRecovered(env, l, kRotationPoints[i], run);
  }
  Finish(env, run, kRotationPoints.size());
}

// An out-of-band rotation found by the startup read: the Secret update, both restarts, the
// status (KeysSynced OutOfBandRotation), the events; status write 2 after the rollouts.
const std::vector<KillPoint> kOutOfBandPoints = {
    {"before-provider-read"}, {"after-provider-read"}, {"before-secret-write"}, {"after-secret-write"},
    {"before-restart", 1},    {"after-restart", 2},    {"before-status-write"}, {"after-status-write"},
    {"after-event", 1},       {"after-status-write", 2},
};

TEST(RobustnessCrashMatrix, OutOfBandRotationSurvivesAKillAtEveryStep) {
  KEYROLL_E2E_REQUIRE_OPERATOR();
  E2EEnvironment env(FastRollouts());
  RotationLedger l = SetUpPayments(env);
  MatrixRun run{"out-of-band rotation"};
  for (const auto& p : kOutOfBandPoints) {
    env.keyroll().Stop();
    l.ConsoleRotate(env);
    CrashThereAndRestart(env, p, run);
    CheckRecovered(env, l, p, run);
  }
  Finish(env, run, kOutOfBandPoints.size());
}

// With --leader-elect: a leader killed right after taking the lease (its work not begun) or
// after a renewal leaves a Lease that the next process must wait out before it reconciles;
// the rotation requested meanwhile still happens exactly once.
const std::vector<KillPoint> kLeasePoints = {{"after-lease-acquired"}, {"after-lease-renewed", 2}};

TEST(RobustnessCrashMatrix, LeaderElectionSurvivesAKillAfterEachLeaseWrite) {
  KEYROLL_E2E_REQUIRE_OPERATOR();
  E2EOptions o = FastRollouts();
  o.leader_elect = true;
  o.operator_args = {"--lease-duration", "3s", "--renew-deadline", "2s", "--retry-period", "500ms"};
  E2EEnvironment env(o);
  RotationLedger l = SetUpPayments(env);
  MatrixRun run{"leader election"};
  for (size_t i = 0; i < kLeasePoints.size(); ++i) {
    const KillPoint& p = kLeasePoints[i];
    env.keyroll().Stop();
    const std::string request = "lease" + std::to_string(i);
    RequestRotation(env.kube(), env.ns(), l.skr, request);
    l.request_id = request;
    ++l.rotations_due;
    CrashThereAndRestart(env, p, run);
    CheckRecovered(env, l, p, run);
  }
  Finish(env, run, kLeasePoints.size());
}

// Auth0's revocation of the previous key (rotation.revokePrevious): the startup reconcile after
// revokePrevious was turned on records the intent (status write 1, status.pendingRevocation),
// revokes, writes the Secret (jwks.json loses the key), clears the intent (status write 2) and
// emits PreviousKeyRevoked. Each kill point gets a previous key of its own from a console
// rotation, synced with revokePrevious off; the tenant must end with every one revoked exactly
// once, never while a consumer was stale, each revocation recorded as an intent first.
const std::vector<KillPoint> kRevocationPoints = {
    {"before-status-write", 1}, {"after-status-write", 1}, {"before-revoke"}, {"after-revoke"},
    {"after-secret-write"},     {"after-status-write", 2}, {"after-event", 1},
};

TEST(RobustnessCrashMatrix, RevocationSurvivesAKillAtEveryStep) {
  KEYROLL_E2E_REQUIRE_OPERATOR();
  E2EOptions o = FastRollouts();
  o.auth0 = true;
  E2EEnvironment env(o);
  auto& tenant = env.auth0();
  const std::string secret = "auth0-signing-certs";
  CreateConsumers(env, secret, {"api", "worker"});
  json skr = tenant.MakeSkr("tenant", secret, {"api", "worker"});
  skr["spec"]["consumers"]["maxConcurrentRestarts"] = 2;
  env.CreateSkr(skr);
  auto revoke_previous = [&](bool on) {
    PatchSkr(env.kube(), env.ns(), "tenant", {{"spec", {{"rotation", {{"revokePrevious", on}}}}}});
  };
  // Ready on the tenant's keys, both consumers on them, the Secret equal to the tenant's.
  auto converged = [&](bool revoked) {
    auto state = tenant.state();
    json got = env.WaitSkr("tenant", [&](const json& s) {
      return IsReadyAndSynced(s) && StrAt(s, "/status/keys/currentKid") == state.current_kid &&
             StrAt(s, "/status/keys/previousKid") == (revoked ? "" : state.previous_kid) &&
             !s["status"].contains("pendingRevocation") && StrAt(s, "/status/consumersReady") == "2/2";
    }, std::chrono::seconds(30));
    return IsReadyAndSynced(got) && !got["status"].contains("pendingRevocation") &&
           WaitUntil([&] { return tenant.SecretDiff(env.SecretData(secret)).empty(); });
  };
  MatrixRun run{"revocation (auth0)"};
  for (size_t i = 0; i < kRevocationPoints.size(); ++i) {
    const KillPoint& p = kRevocationPoints[i];
    if (env.keyroll().running()) env.keyroll().Stop();
    revoke_previous(false);
    ASSERT_TRUE(tenant.fake().ConsoleRotate());
    env.StartOperator(kRecoveryEnv);
    ASSERT_TRUE(converged(false)) << p.Spec() << ": the console rotation was not synced";
    ASSERT_FALSE(tenant.state().previous_kid.empty());
    env.keyroll().Stop();
    revoke_previous(true);
    CrashThereAndRestart(env, p, run);
    std::vector<std::string> found;
    if (!converged(true)) found.push_back("did not converge: " + ConditionSummary(env.Skr("tenant")));
    if (tenant.state().revocations != static_cast<int>(i) + 1)
      found.push_back("the tenant revoked " + std::to_string(tenant.state().revocations) + " times after " +
                      std::to_string(i + 1) + " revocations due");
    run.Add(p, found);
  }
  Finish(env, run, kRevocationPoints.size());
  KEYROLL_EXPECT_REVOCATION_GATE_HELD(env, "tenant", tenant.state().revocations, "api", "worker");
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::testing
