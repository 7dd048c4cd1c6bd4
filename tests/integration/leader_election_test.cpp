// LeaderElector against an API server (the fake over TLS, or a real cluster through
// KEYROLL_TEST_KUBECONFIG): two candidates in one process with short durations. Exactly one
// leads; a killed leader (no release) is replaced after its lease runs out; a released lease
// is taken over at once; 409s on renew are survived; failed renewals past the renew deadline
// end leadership. Fault injection (409, 500) runs only on the fake.
#include "operator/runtime/leader_election.h"

#include <atomic>
#include <memory>
#include <mutex>
#include <regex>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "tests/support/cluster.h"
#include "tests/support/wait.h"

namespace keyroll::controller {
namespace {
namespace KEYROLL_UNITY_ID {

using namespace std::chrono_literals;
using keyroll::testing::TestCluster;
using keyroll::testing::WaitUntil;
using Clock = std::chrono::steady_clock;

long long ToMs(Clock::duration d) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}

// One replica: an elector plus what its callbacks and metrics hook reported.
struct Candidate {
  std::atomic<int> started{0}, stopped{0};
  std::atomic<int> metric{-1};  // last set_is_leader value (-1: never called)
  std::mutex mu;
  std::vector<std::string> new_leaders;
  std::unique_ptr<runtime::LeaderElector> elector;

  Candidate(TestCluster& cluster, const std::string& identity, std::chrono::seconds lease = 2s) {
    runtime::LeaderElectionConfig c;
    c.namespace_name = cluster.namespace_name();
    c.identity = identity;
    c.lease_duration = lease;
    c.renew_deadline = 1500ms;
    c.retry_period = 300ms;
    c.request_timeout = 1s;
    c.callbacks.on_started_leading = [this] { ++started; };
    c.callbacks.on_stopped_leading = [this] { ++stopped; };
    c.callbacks.on_new_leader = [this](const std::string& id) {
      std::lock_guard lock(mu);
      new_leaders.push_back(id);
    };
    c.set_is_leader = [this](bool leading) { metric = leading ? 1 : 0; };
    elector = std::make_unique<runtime::LeaderElector>(cluster.client(), c);
  }
  // Leading, and told so once: IsLeader() turns true just before on_started_leading runs, on
  // the elector's thread, so a test that counts callbacks waits for both.
  bool LeadsAndWasTold() const { return elector->IsLeader() && started == 1; }
  std::vector<std::string> NewLeaders() {
    std::lock_guard lock(mu);
    return new_leaders;
  }
};

nlohmann::json GetLease(TestCluster& cluster) {
  auto got = cluster.client().Get(kube::resources::kLeases, cluster.namespace_name(), "keyroll-leader");
  EXPECT_TRUE(got.ok()) << got.error().ToString();
  return got.ok() ? *got : nlohmann::json::object();
}

std::string RenewTime(TestCluster& cluster) {
  return GetLease(cluster)["spec"].value("renewTime", "");
}

// Starts a, waits until it leads, then starts b (so the leader is known).
void StartLeaderThenStandby(Candidate& a, Candidate& b) {
  a.elector->Start();
  ASSERT_TRUE(WaitUntil([&] { return a.LeadsAndWasTold(); }));
  b.elector->Start();
  ASSERT_TRUE(WaitUntil([&] { return b.elector->CurrentLeader() == a.elector->identity(); }));
}

TEST(LeaderElection, ExactlyOneLeadsAndTheLeaseHasClientGoShapes) {
  TestCluster cluster;
  Candidate a(cluster, "replica-a"), b(cluster, "replica-b");
  a.elector->Start();
  b.elector->Start();
  ASSERT_TRUE(WaitUntil([&] { return a.elector->IsLeader() || b.elector->IsLeader(); }));
  Candidate& leader = a.elector->IsLeader() ? a : b;
  Candidate& standby = a.elector->IsLeader() ? b : a;
  ASSERT_TRUE(WaitUntil([&] { return standby.elector->CurrentLeader() == leader.elector->identity(); }));

  // Over several renewals (each one changes renewTime) nobody else ever leads.
  std::string seen = RenewTime(cluster);
  for (int renewals = 0; renewals < 4;) {
    ASSERT_TRUE(leader.elector->IsLeader());
    ASSERT_FALSE(standby.elector->IsLeader());
    const std::string now = RenewTime(cluster);
    if (now != seen) ++renewals, seen = now;
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_EQ(leader.started, 1);
  EXPECT_EQ(standby.started, 0);
  EXPECT_EQ(leader.metric, 1);
  EXPECT_EQ(standby.metric, 0);
  EXPECT_EQ(standby.NewLeaders(), std::vector<std::string>{leader.elector->identity()});

  const auto lease = GetLease(cluster);
  EXPECT_EQ(lease["apiVersion"], "coordination.k8s.io/v1");
  EXPECT_EQ(lease["kind"], "Lease");
  const auto& spec = lease["spec"];
  EXPECT_EQ(spec["holderIdentity"], leader.elector->identity());
  EXPECT_EQ(spec["leaseDurationSeconds"], 2);
  EXPECT_EQ(spec["leaseTransitions"], 0);
  const std::regex micro(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z)");
  EXPECT_TRUE(std::regex_match(spec["acquireTime"].get<std::string>(), micro)) << spec.dump();
  EXPECT_TRUE(std::regex_match(spec["renewTime"].get<std::string>(), micro)) << spec.dump();
  EXPECT_LT(spec["acquireTime"].get<std::string>(), spec["renewTime"].get<std::string>());
}

TEST(LeaderElection, KilledLeaderIsReplacedAfterItsLeaseRunsOut) {
  TestCluster cluster;
  Candidate a(cluster, "replica-a"), b(cluster, "replica-b");
  StartLeaderThenStandby(a, b);

  const auto killed = Clock::now();
  a.elector->Abandon();  // kill -9: no release, no callbacks
  EXPECT_EQ(a.stopped, 0);
  EXPECT_EQ(GetLease(cluster)["spec"]["holderIdentity"], "replica-a");
  ASSERT_TRUE(WaitUntil([&] { return b.LeadsAndWasTold(); }, 30s));
  const auto took = Clock::now() - killed;
  RecordProperty("takeover_after_kill_ms", static_cast<int>(ToMs(took)));
  // b must have waited for the lease (2 s from its last sight of a renewal, which was at
  // about one retry period before the kill) and should not take much longer.
  EXPECT_GE(took, 1s);
  EXPECT_LT(took, 6s);
  const auto spec = GetLease(cluster)["spec"];
  EXPECT_EQ(spec["holderIdentity"], "replica-b");
  EXPECT_EQ(spec["leaseTransitions"], 1);
  EXPECT_EQ(b.started, 1);
  EXPECT_EQ(b.NewLeaders(), (std::vector<std::string>{"replica-a", "replica-b"}));
}

TEST(LeaderElection, ReleasedLeaseIsTakenOverBeforeItWouldExpire) {
  TestCluster cluster;
  // A 10 s lease: a takeover well under 10 s can only come from the release.
  Candidate a(cluster, "replica-a", 10s), b(cluster, "replica-b", 10s);
  StartLeaderThenStandby(a, b);

  const auto stopped = Clock::now();
  a.elector->Stop();
  EXPECT_FALSE(a.elector->IsLeader());
  EXPECT_EQ(a.stopped, 1);
  EXPECT_EQ(a.metric, 0);
  ASSERT_TRUE(WaitUntil([&] { return b.elector->IsLeader(); }, 30s));
  const auto took = Clock::now() - stopped;
  RecordProperty("takeover_after_release_ms", static_cast<int>(ToMs(took)));
  EXPECT_LT(took, 7s);
  const auto spec = GetLease(cluster)["spec"];
  EXPECT_EQ(spec["holderIdentity"], "replica-b");
  EXPECT_EQ(spec["leaseDurationSeconds"], 10);
  EXPECT_EQ(spec["leaseTransitions"], 1);
}

TEST(LeaderElection, StoppingAStandbyNeitherReleasesNorCallsBack) {
  TestCluster cluster;
  Candidate a(cluster, "replica-a"), b(cluster, "replica-b");
  StartLeaderThenStandby(a, b);
  b.elector->Stop();
  EXPECT_TRUE(b.elector->Done());
  EXPECT_EQ(b.started, 0);
  EXPECT_EQ(b.stopped, 0);
  EXPECT_EQ(GetLease(cluster)["spec"]["holderIdentity"], "replica-a");
  EXPECT_TRUE(a.elector->IsLeader());
}

TEST(LeaderElection, LeaderThatSeesAnotherHolderStopsLeading) {
  TestCluster cluster;
  Candidate a(cluster, "replica-a");
  a.elector->Start();
  ASSERT_TRUE(WaitUntil([&] { return a.LeadsAndWasTold(); }));
  // Somebody else (e.g. an operator with a skewed idea of time) writes itself in.
  auto lease = GetLease(cluster);
  lease["spec"]["holderIdentity"] = "intruder";
  ASSERT_TRUE(cluster.client().Update(kube::resources::kLeases, cluster.namespace_name(), lease).ok());
  ASSERT_TRUE(WaitUntil([&] { return a.elector->Done(); }, 30s));
  EXPECT_FALSE(a.elector->IsLeader());
  EXPECT_EQ(a.stopped, 1);
  EXPECT_EQ(a.metric, 0);
  EXPECT_EQ(GetLease(cluster)["spec"]["holderIdentity"], "intruder");  // not released over it
}

TEST(LeaderElection, ConflictsOnRenewAreSurvivedAndFailuresPastTheDeadlineLoseTheLease) {
  TestCluster cluster;
  Candidate a(cluster, "replica-a");
  a.elector->Start();
  ASSERT_TRUE(WaitUntil([&] { return a.LeadsAndWasTold(); }));
  KEYROLL_SKIP_UNLESS_FAKE(cluster, "409s on renewal and 500s past the renew deadline (fault injection)");

  cluster.ConflictNextWrites(2);
  ASSERT_TRUE(WaitUntil([&] {
    auto faults = cluster.client().Request("GET", "/_fake/faults");
    return faults.ok() && faults->value("conflict_next_writes", -1) == 0;
  }, 30s));
  // Both 409s went to renewals; the next renewal succeeds and a never stopped leading.
  const std::string after_conflicts = RenewTime(cluster);
  ASSERT_TRUE(WaitUntil([&] { return RenewTime(cluster) != after_conflicts; }, 30s));
  EXPECT_TRUE(a.elector->IsLeader());
  EXPECT_EQ(a.stopped, 0);
  EXPECT_EQ(GetLease(cluster)["spec"]["holderIdentity"], "replica-a");

  // Every lease request fails (500) for longer than the renew deadline: leadership ends.
  cluster.FailNext(1000, 500, 1, "", "/apis/coordination.k8s.io/v1/namespaces/" +
                                         cluster.namespace_name() + "/leases");
  ASSERT_TRUE(WaitUntil([&] { return a.elector->Done(); }, 30s));
  EXPECT_FALSE(a.elector->IsLeader());
  EXPECT_EQ(a.stopped, 1);
  EXPECT_EQ(a.metric, 0);
  cluster.ResetFaults();
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::controller
