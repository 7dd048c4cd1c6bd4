// Randomised schedules on top of the crash matrix (issue 6, part 1). Each seed draws a
// sequence of actions: rotation requests (requestID or the rotate-request annotation),
// console rotations, consumers held and released (a rollout that does not finish), provider
// faults of every kind, kills at a random failpoint and hit, and kill -9 from outside at a
// random moment. After the schedule, faults are cleared, consumers released and keyroll
// restarted clean; then every invariant of robustness_invariants.h must hold, and at no time
// may a rotation have happened while a consumer was stale.
// The action sequence is a function of the seed alone (a request or console rotation first
// waits until the previous request was handled, so each request is due exactly once); the
// interleaving with keyroll's threads is as the machine runs it. Each schedule prints its
// seed and figures; reproduce one with KEYROLL_ROBUSTNESS_SEED=S KEYROLL_ROBUSTNESS_SEEDS=1.
// Long runs by hand: KEYROLL_ROBUSTNESS_SEEDS=N (default 2, split over the two test slots),
// KEYROLL_ROBUSTNESS_SEED (first seed, default 1), KEYROLL_ROBUSTNESS_STEPS (default 12).
// The provider faults come from the QStash fake, the rollouts from the simulated deployment
// controller: this runs on the fake API server (tests/e2e/README.md, limits).
#include <gtest/gtest.h>

#include <cstdlib>
#include <iostream>
#include <sstream>
#include <thread>

#include "tests/support/robustness_invariants.h"
#include "tests/support/wait.h"

namespace keyroll::testing {
namespace {
namespace KEYROLL_UNITY_ID {

constexpr int kSlots = 2;

int EnvInt(const char* name, int fallback) {
  const char* v = std::getenv(name);
  if (!v || !*v) return fallback;
  try {
    return std::stoi(v);
  } catch (...) {
    return fallback;
  }
}

// splitmix64: the same numbers for a seed on every platform (std distributions are not).
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  int Below(int n) { return static_cast<int>(Next() % static_cast<uint64_t>(n)); }
  int Between(int lo, int hi) { return lo + Below(hi - lo + 1); }

 private:
  uint64_t state_;
};

const std::vector<std::string> kFailpoints = {
    "before-provider-read", "after-provider-read", "before-secret-write", "after-secret-write",
    "before-restart",       "after-restart",       "during-restarts",     "before-status-write",
    "after-status-write",   "before-event",        "after-event",         "after-intent-written",
    "before-rotate",        "after-rotate"};

const std::vector<std::string> kWrongJson = {"current-number", "missing-next", "missing-current", "equal",
                                             "empty-current",  "null-next",    "array",           "string"};

const std::map<std::string, std::string> kCleanEnv = {{"KEYROLL_PENDING_ROTATION_SETTLE", "1s"}};

struct Figures {
  int actions = 0, requests = 0, console = 0, holds = 0, releases = 0, faults = 0;
  int failpoint_kills = 0, external_kills = 0, armed = 0;
  std::vector<std::string> violations;
  int kills() const { return failpoint_kills + external_kills; }
};

fakes::Fault RandomFault(Rng& rng, std::string* what) {
  fakes::Fault f;
  const fakes::FaultOp ops[] = {fakes::FaultOp::kGetKeys, fakes::FaultOp::kRotate, fakes::FaultOp::kAny};
  const char* op_names[] = {"get_keys", "rotate", "any"};
  int op = rng.Below(3);
  f.op = ops[op];
  f.count = rng.Between(1, 2);
  switch (rng.Below(8)) {
    case 0: f.kind = fakes::FaultKind::kStatus; f.status = rng.Below(2) ? 500 : 503; *what = "status " + std::to_string(f.status); break;
    case 1: f.kind = fakes::FaultKind::kRateLimit; *what = "rate-limit"; break;
    case 2: f.kind = fakes::FaultKind::kDropBefore; *what = "drop-before"; break;
    case 3: f.kind = fakes::FaultKind::kDropAfter; *what = "drop-after"; break;
    case 4:
      f.kind = fakes::FaultKind::kLatency;
      f.latency = std::chrono::milliseconds(rng.Between(200, 1500));
      *what = "latency " + std::to_string(f.latency.count()) + "ms";
      break;
    case 5: f.kind = fakes::FaultKind::kTruncated; *what = "truncated"; break;
    case 6: f.kind = fakes::FaultKind::kNonJson; *what = "non-json"; break;
    default:
      f.kind = fakes::FaultKind::kWrongJson;
      f.variant = kWrongJson[rng.Below(static_cast<int>(kWrongJson.size()))];
      *what = "wrong-json " + f.variant;
      break;
  }
  *what += " on " + std::string(op_names[op]) + " x" + std::to_string(f.count);
  return f;
}

class Schedule {
 public:
  Schedule(uint64_t seed, int steps) : seed_(seed), steps_(steps), rng_(seed) {}

  Figures Run() {
    E2EOptions o;
    o.start_operator = false;
    o.rollout_delay = std::chrono::milliseconds(50);
    E2EEnvironment env(o);
    env_ = &env;
    ledger_ = RotationLedger{"payments", "qstash-signing-keys", {"api", "worker", "jobs"}};
    env.CreateDeployment(MakeDeployment("api", ledger_.secret, SecretUse::kEnvFrom));
    env.CreateDeployment(MakeDeployment("worker", ledger_.secret, SecretUse::kVolume));
    env.CreateDeployment(MakeDeployment("jobs", ledger_.secret, SecretUse::kSecretKeyRef));
    json skr = MakeQStashSkr(ledger_.skr, env.qstash_url(), ledger_.secret, {"api", "worker"});  // jobs: discovered
    skr["spec"]["consumers"]["maxConcurrentRestarts"] = 2;
    env.CreateSkr(skr);
    env.StartOperator(kCleanEnv);
    if (!WaitConverged(env, ledger_)) Violation("the first sync did not converge");

    for (int i = 0; i < steps_; ++i) {
      Step();
      RestartIfKilled();
      std::this_thread::sleep_for(std::chrono::milliseconds(rng_.Between(50, 400)));
      RestartIfKilled();
    }
    // Let it settle: no faults, every consumer free, no armed failpoint.
    env.qstash().ResetFaults();
    for (const auto& c : ledger_.consumers) env.workloads().Release(c);
    if (armed_) {
      env.keyroll().Kill();
      ++fig_.external_kills;
      armed_ = false;
      env.StartOperator(kCleanEnv);
    }
    RestartIfKilled();
    bool converged = WaitConverged(env, ledger_);
    auto found = InvariantViolations(env, ledger_);
    if (!converged && found.empty()) found.push_back("did not converge in time");
    for (auto& v : found) Violation(v);
    for (auto& v : env.FindLeaks()) Violation("leak: " + v);
    env_ = nullptr;
    return fig_;
  }

  std::string Log() const { return log_.str(); }

 private:
  void Violation(const std::string& v) { fig_.violations.push_back("seed " + std::to_string(seed_) + ": " + v); }
  void Note(const std::string& what) { log_ << "  " << fig_.actions << ". " << what << "\n"; }

  bool RequestOutstanding() {
    json s = env_->Skr(ledger_.skr);
    return StrAt(s, "/status/lastHandledRequestID") != ledger_.request_id ||
           StrAt(s, "/status/lastHandledRotateRequest") != ledger_.rotate_request ||
           s["status"].contains("pendingRotation");
  }

  // Before a new request: the previous one handled (consumers released so it can be).
  void SettlePreviousRequest() {
    if (!RequestOutstanding()) return;
    for (const auto& c : ledger_.consumers) env_->workloads().Release(c);
    held_.clear();
    if (!WaitUntil([&] {
          RestartIfKilled();
          return !RequestOutstanding();
        }, std::chrono::seconds(45), std::chrono::milliseconds(50)))
      Violation("a rotation request was not handled within 45 s: " + ConditionSummary(env_->Skr(ledger_.skr)));
  }

  void Step() {
    ++fig_.actions;
    int roll = rng_.Below(100);
    if (roll < 22) {  // a rotation request
      const std::string id = "s" + std::to_string(seed_) + "-" + std::to_string(fig_.actions);
      bool annotation = rng_.Below(2) == 1;
      SettlePreviousRequest();
      if (annotation) {
        PatchSkr(env_->kube(), env_->ns(), ledger_.skr,
                 {{"metadata", {{"annotations", {{"keyroll.dev/rotate-request", id}}}}}});
        ledger_.rotate_request = id;
      } else {
        RequestRotation(env_->kube(), env_->ns(), ledger_.skr, id);
        ledger_.request_id = id;
      }
      ++ledger_.rotations_due;
      ++fig_.requests;
      Note(std::string("request ") + id + (annotation ? " (annotation)" : " (requestID)"));
    } else if (roll < 30) {  // an out-of-band rotation, never during one of keyroll's
      SettlePreviousRequest();
      ledger_.ConsoleRotate(*env_);
      ++fig_.console;
      Note("console rotation");
    } else if (roll < 42) {
      const std::string& c = ledger_.consumers[rng_.Below(static_cast<int>(ledger_.consumers.size()))];
      env_->workloads().Hold(c);
      held_.insert(c);
      ++fig_.holds;
      Note("hold " + c);
    } else if (roll < 52) {
      const std::string& c = ledger_.consumers[rng_.Below(static_cast<int>(ledger_.consumers.size()))];
      env_->workloads().Release(c);
      held_.erase(c);
      ++fig_.releases;
      Note("release " + c);
    } else if (roll < 70) {
      std::string what;
      env_->qstash().InjectFault(RandomFault(rng_, &what));
      ++fig_.faults;
      Note("provider fault " + what);
    } else if (roll < 88) {  // arm a failpoint in a fresh process
      const std::string spec = kFailpoints[rng_.Below(static_cast<int>(kFailpoints.size()))] + "=kill@" +
                               std::to_string(rng_.Between(1, 3));
      if (env_->keyroll().running()) {
        env_->keyroll().Kill();
        ++fig_.external_kills;
      }
      auto vars = kCleanEnv;
      vars["KEYROLL_FAILPOINTS"] = spec;
      env_->keyroll().Start(vars);
      armed_ = true;
      ++fig_.armed;
      Note("restart (kill -9) armed with " + spec);
    } else if (roll < 95) {
      if (env_->keyroll().running()) {
        env_->keyroll().Kill();
        ++fig_.external_kills;
      }
      armed_ = false;
      env_->StartOperator(kCleanEnv);
      Note("kill -9 now, restart");
    } else {
      int ms = rng_.Between(200, 1500);
      std::this_thread::sleep_for(std::chrono::milliseconds(ms));
      Note("pause " + std::to_string(ms) + "ms");
    }
  }

  // A failpoint fired: start again (clean).
  void RestartIfKilled() {
    if (env_->keyroll().running()) return;
    if (env_->keyroll().CurrentLog().find("failpoint: killing the process") != std::string::npos) {
      ++fig_.failpoint_kills;
      Note("  (killed itself at the armed failpoint)");
    } else {
      Violation("keyroll exited without being killed; log tail: " + env_->keyroll().CurrentLog().substr(
                    env_->keyroll().CurrentLog().size() > 2000 ? env_->keyroll().CurrentLog().size() - 2000 : 0));
    }
    armed_ = false;
    env_->StartOperator(kCleanEnv);
  }

  uint64_t seed_;
  int steps_;
  Rng rng_;
  E2EEnvironment* env_ = nullptr;
  RotationLedger ledger_;
  std::set<std::string> held_;
  bool armed_ = false;
  Figures fig_;
  std::ostringstream log_;
};

class RobustnessRandomSchedules : public ::testing::TestWithParam<int> {};

TEST_P(RobustnessRandomSchedules, EverySeedKeepsTheInvariants) {
  KEYROLL_E2E_REQUIRE_OPERATOR();
  if (RealClusterConfigured()) {
    GTEST_SKIP() << kNeedsSimulatedRollouts << "schedules hold and release rollouts (Hold)";
  }
  const int slot = GetParam();
  const int first = EnvInt("KEYROLL_ROBUSTNESS_SEED", 1);
  const int count = EnvInt("KEYROLL_ROBUSTNESS_SEEDS", kSlots);
  const int steps = EnvInt("KEYROLL_ROBUSTNESS_STEPS", 12);
  int schedules = 0, kills = 0, faults = 0;
  std::vector<std::string> violations;
  for (int seed = first + slot; seed < first + count; seed += kSlots) {
    Schedule schedule(static_cast<uint64_t>(seed), steps);
    Figures f = schedule.Run();
    ++schedules;
    kills += f.kills();
    faults += f.faults;
    std::cout << "[random schedule] seed " << seed << ": " << f.actions << " actions (" << f.requests
              << " requests, " << f.console << " console rotations, " << f.holds << " holds, " << f.faults
              << " provider faults, " << f.armed << " failpoints armed), " << f.kills() << " kills ("
              << f.failpoint_kills << " at failpoints, " << f.external_kills << " kill -9 from outside), "
              << f.violations.size() << " violations\n"
              << schedule.Log();
    if (!f.violations.empty())
      std::cout << "  reproduce: KEYROLL_ROBUSTNESS_SEED=" << seed << " KEYROLL_ROBUSTNESS_SEEDS=1 KEYROLL_ROBUSTNESS_STEPS="
                << steps << " build/tests/robustness_crash_random_schedules_test\n";
    violations.insert(violations.end(), f.violations.begin(), f.violations.end());
  }
  std::cout << "[random schedules] slot " << slot << ": " << schedules << " schedules, " << kills << " kills, "
            << faults << " provider faults, " << violations.size() << " invariant violations\n";
  EXPECT_EQ(violations, std::vector<std::string>{});
}

INSTANTIATE_TEST_SUITE_P(Slots, RobustnessRandomSchedules, ::testing::Range(0, kSlots));

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::testing
