// API server faults (issue 6, part 2): watches dropped every second, 410 storms (watches
// expired by the server, and every watch answered 410), 409 on every first write, storms of
// 500s and of 429s with Retry-After, and 5 s latency on every request. During each fault a
// rotation request (a requestID bump, seen through the watch) and a console rotation (seen
// by the provider refresh) must each be handled exactly once: one rotation on the provider,
// one rollout per consumer and keys, then every invariant of robustness_invariants.h.
// The faults hit only keyroll's requests (User-Agent "keyroll/..."), so the test's own client
// and the simulated deployment controller keep working. keyroll must not hot-loop: its
// requests per minute during the fault (from /_fake/stats by_user_agent) stay under a bound
// derived from its backoff policies (see RequestBound), and the figures are printed.
// Fault injection exists only on the fake; on a real cluster (KEYROLL_TEST_KUBECONFIG) each
// test still runs its changes and checks, without the fault.
#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <iostream>
#include <thread>

#include "tests/support/robustness_invariants.h"
#include "tests/support/wait.h"

namespace keyroll::testing {
namespace {
namespace KEYROLL_UNITY_ID {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr const char* kAgent = "keyroll/";

// The policies a request rate follows (operator/kube/backoff.h, operator/controller/manager.cpp):
// SigningKeyRotations, Secrets, and one per workload kind (Deployments, StatefulSets, DaemonSets,
// Jobs, CronJobs; Rollouts only list, every 10 s, while Argo Rollouts is not installed).
constexpr int kInformers = 8;
constexpr int kRequestsPerWatchCycle = 2;     // a relist and a watch
constexpr double kReflectorMinWaitS = 0.8;    // the reflector's first backoff after a failure
constexpr double kQueueBaseDelayS = 0.2;      // the workqueue's first per-key backoff
constexpr int kRequestsPerReconcile = 12;     // token GET, Secret GET+PUT, 2 restarts, status, 6 events
constexpr int kKeys = 1;

// Requests per minute keyroll may make at most when its watches cycle every `watch_cycle_s`
// (the fault's period, or the reflector's first backoff) and each key is reconciled at most
// once per workqueue base delay. A hot loop (no backoff) makes thousands per second.
double RequestBound(double watch_cycle_s) {
  return kInformers * kRequestsPerWatchCycle * 60.0 / watch_cycle_s +
         kKeys * kRequestsPerReconcile * 60.0 / kQueueBaseDelayS;
}

// Relists per minute at most: each informer relists at most once per watch cycle (a watch
// expired by the server) and never sooner than the reflector's first backoff after a watch
// that failed at once.
double ListBound(double watch_cycle_s) { return kInformers * 60.0 / watch_cycle_s; }

// Runs `tick` every `period` on a thread until destroyed.
class Storm {
 public:
  Storm(milliseconds period, std::function<void()> tick)
      : period_(period), tick_(std::move(tick)), thread_([this] { Loop(); }) {}
  ~Storm() {
    stop_ = true;
    thread_.join();
  }

 private:
  void Loop() {
    while (!stop_) {
      try {
        tick_();
      } catch (const std::exception&) {
        // a control request that failed: the next tick tries again
      }
      for (auto slept = milliseconds(0); slept < period_ && !stop_; slept += milliseconds(10))
        std::this_thread::sleep_for(milliseconds(10));
    }
  }
  milliseconds period_;
  std::function<void()> tick_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

struct ApiFault {
  std::string name;
  // Switches the fault on; what it returns (a Storm, or nothing) is dropped to end it.
  std::function<std::shared_ptr<void>(TestCluster&)> start;
  double watch_cycle_s = kReflectorMinWaitS;  // for RequestBound
  bool console_rotation = true;
  milliseconds timeout = seconds(60);  // for each change under the fault
  bool injects = true;  // false: the baseline, which needs no fake
};

// Each consumer rolled out each key set at most once (restarts are keyed by keysHash).
std::vector<std::string> DoubledRollouts(E2EEnvironment& env, const RotationLedger& l) {
  std::vector<std::string> out;
  for (const auto& c : l.consumers) {
    std::map<std::string, int> per_hash;
    for (const auto& r : env.workloads().RolloutsOf(c)) ++per_hash[r.keys_hash];
    for (const auto& [hash, n] : per_hash)
      if (!hash.empty() && n > 1) out.push_back(c + " rolled out keys " + hash.substr(0, 8) + " " + std::to_string(n) + " times");
  }
  return out;
}

void RunUnderApiFault(const ApiFault& fault) {
  KEYROLL_E2E_REQUIRE_OPERATOR();
  E2EEnvironment env;
  RotationLedger l{"payments", "qstash-signing-keys", {"api", "worker"}};
  env.CreateDeployment(MakeDeployment("api", l.secret, SecretUse::kEnvFrom));
  env.CreateDeployment(MakeDeployment("worker", l.secret, SecretUse::kVolume));
  env.CreateSkr(MakeQStashSkr(l.skr, env.qstash_url(), l.secret, l.consumers));
  ASSERT_TRUE(WaitConverged(env, l)) << ConditionSummary(env.Skr(l.skr));
  const bool fake = env.cluster().is_fake();

  json before = fake ? OperatorRequests(env.cluster()) : json::object();
  const auto started = std::chrono::steady_clock::now();
  std::shared_ptr<void> running = fake ? fault.start(env.cluster()) : nullptr;

  // A change seen through the SigningKeyRotation watch: exactly one rotation.
  RequestRotation(env.kube(), env.ns(), l.skr, "r1");
  l.request_id = "r1";
  l.rotations_due = 1;
  json skr = env.WaitSkr(l.skr, [](const json& s) {
    return StrAt(s, "/status/lastHandledRequestID") == "r1" && !s["status"].contains("pendingRotation");
  }, fault.timeout);
  EXPECT_EQ(StrAt(skr, "/status/lastHandledRequestID"), "r1") << fault.name << ": " << ConditionSummary(skr);
  EXPECT_EQ(env.account().rotations, 1) << fault.name;
  // A change only the provider shows: the Secret follows it.
  if (fault.console_rotation) {
    l.ConsoleRotate(env);
    EXPECT_TRUE(WaitUntil([&] { return env.SecretMatchesProvider(l.secret); }, fault.timeout))
        << fault.name << ": the console rotation never reached the Secret; " << ConditionSummary(env.Skr(l.skr));
  }

  running.reset();  // the fault ends
  const double minutes =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count() / 60.0;
  if (fake) {
    env.cluster().ResetFaults();
    env.cluster().DropWatchesEvery(milliseconds(0));
    json after = OperatorRequests(env.cluster());
    const double requests = after.value("total", 0) - before.value("total", 0);
    const double per_minute = requests / minutes;
    json verbs = json::object();
    for (auto& [verb, n] : after["by_verb"].items())
      verbs[verb] = n.get<int>() - before["by_verb"].value(verb, 0);
    const double bound = RequestBound(fault.watch_cycle_s);
    const double lists_per_minute = verbs.value("list", 0) / minutes;
    const double list_bound = ListBound(fault.watch_cycle_s);
    std::cout << "[api fault] " << fault.name << ": " << requests << " requests by keyroll in "
              << minutes * 60.0 << " s = " << per_minute << " requests/min (bound " << bound << "/min), "
              << lists_per_minute << " relists/min (bound " << list_bound << "/min); by verb " << verbs.dump() << "\n";
    EXPECT_LE(per_minute, bound) << fault.name << ": keyroll hot-loops";
    EXPECT_LE(lists_per_minute, list_bound) << fault.name << ": keyroll relists in a loop";
  }

  EXPECT_TRUE(WaitConverged(env, l)) << fault.name << ": " << ConditionSummary(env.Skr(l.skr));
  EXPECT_EQ(InvariantViolations(env, l), std::vector<std::string>{}) << fault.name;
  EXPECT_EQ(DoubledRollouts(env, l), std::vector<std::string>{}) << fault.name;
  EXPECT_TRUE(env.keyroll().running());
  EXPECT_EQ(env.FindLeaks(), std::vector<std::string>{});
  // A real API server cannot be told to fail: the scenario ran without its fault. Say so.
  if (!fake && fault.injects) {
    GTEST_SKIP() << fault.name << ": no fault injected (only the fake API server injects faults); "
                 << "the rotation and the invariants were checked without it, but not " << kGateNeedsJournal;
  }
  KEYROLL_SKIP_UNLESS_FAKE(env.cluster(), kGateNeedsJournal);
}

json FailRule(int code, int retry_after = 1, const std::string& verb = "") {
  return {{"count", 1000000}, {"code", code}, {"retry_after_seconds", retry_after}, {"user_agent", kAgent},
          {"verb", verb}};
}

TEST(RobustnessApiFaults, NoFaultBaseline) {
  ApiFault baseline{"no fault (baseline)", [](TestCluster&) { return std::shared_ptr<void>(); }};
  baseline.injects = false;
  RunUnderApiFault(baseline);
}

TEST(RobustnessApiFaults, WatchesDroppedEverySecond) {
  RunUnderApiFault({"watches dropped every 1 s", [](TestCluster& c) {
                      c.DropWatchesEvery(milliseconds(1000));
                      return std::shared_ptr<void>();
                    }, 1.0});
}

// The server expires every watch (410 ERROR event, history cleared) every 300 ms.
TEST(RobustnessApiFaults, WatchExpiryStorm) {
  RunUnderApiFault({"410 storm (watches expired every 300 ms)", [](TestCluster& c) {
                      return std::static_pointer_cast<void>(
                          std::make_shared<Storm>(milliseconds(300), [&c] { c.ExpireWatches(); }));
                    }, 0.3});
}

// Every watch keyroll opens is answered 410 at once (a server that compacted past every
// version it offers): keyroll relists, but must not relist in a tight loop.
TEST(RobustnessApiFaults, EveryWatchAnswered410) {
  RunUnderApiFault({"410 on every watch request", [](TestCluster& c) {
                      c.DropWatches();
                      c.Control("fail-next", FailRule(410, 1, "watch"));
                      return std::shared_ptr<void>();
                    }});
}

// Each write keyroll makes after a successful one is answered 409 once; its retry succeeds.
TEST(RobustnessApiFaults, ConflictOnEveryFirstWrite) {
  RunUnderApiFault({"409 on every first write", [](TestCluster& c) {
                      auto last_armed = std::make_shared<int64_t>(-2);
                      return std::static_pointer_cast<void>(std::make_shared<Storm>(milliseconds(20), [&c, last_armed] {
                        json verbs = OperatorRequests(c)["by_verb"];
                        int64_t writes = verbs.value("update", 0) + verbs.value("patch", 0);
                        auto faults = c.client().Request("GET", "/_fake/faults");
                        if (!faults.ok() || faults->value("conflict_next_writes", 1) != 0) return;
                        if (writes < *last_armed + 2) return;  // the conflicted write and its retry
                        c.Control("conflict-next-writes", {{"count", 1}, {"user_agent", kAgent}});
                        *last_armed = writes;
                      }));
                    }});
}

// Storms: every keyroll request fails for 3 s, then 2 s of calm, over and over.
std::shared_ptr<void> OnOffStorm(TestCluster& c, json rule) {
  auto on = std::make_shared<bool>(false);
  return std::static_pointer_cast<void>(std::make_shared<Storm>(milliseconds(500), [&c, rule, on, n = 0]() mutable {
    int phase = n++ % 10;  // 0-5: failing, 6-9: calm
    if (phase == 0) {
      c.DropWatches();
      c.Control("fail-next", rule);
    } else if (phase == 6) {
      c.ResetFaults();
    }
  }));
}

// How long a change may take to be seen under 500 storms. A 500 carries no Retry-After, so a
// watch that keeps failing waits as client-go's reflector does: 0.8 s doubling to 30 s
// (operator/kube/backoff.h). At that cap one attempt every 30 s lands in the failing 3 s of
// 5 s with p = 0.6: a request seen only through the resource's watch (nothing else tells
// keyroll of it) is missed for 90 s with p ~ 0.6^3 once the cap is reached (seen: 1 run in 60,
// the watch retrying every 30 s from 13:35:00 on), for 240 s with p ~ 0.6^8 = 0.017.
constexpr seconds kStormChangeTimeout{240};

TEST(RobustnessApiFaults, InternalErrorStorms) {
  RunUnderApiFault({"500 storms (3 s of 500s every 5 s)",
                    [](TestCluster& c) { return OnOffStorm(c, FailRule(500)); }, kReflectorMinWaitS, true,
                    kStormChangeTimeout});
}

TEST(RobustnessApiFaults, TooManyRequestsStormsWithRetryAfter) {
  RunUnderApiFault({"429 storms with Retry-After 2 s (3 s of 429s every 5 s)",
                    [](TestCluster& c) { return OnOffStorm(c, FailRule(429, 2)); }, kReflectorMinWaitS, true,
                    seconds(90)});
}

// 5 s on every keyroll request: the rotation takes a while but happens once (the console
// rotation is left out: at this speed it would double the test's time for nothing new).
TEST(RobustnessApiFaults, FiveSecondLatency) {
  RunUnderApiFault({"5 s latency on every request", [](TestCluster& c) {
                      c.Control("latency", {{"ms", 5000}, {"user_agent", kAgent}});
                      return std::shared_ptr<void>();
                    }, 5.0, false, seconds(150)});
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::testing
