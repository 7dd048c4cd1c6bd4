// Provider faults (issue 6, part 3): every fault of the QStash fake (tests/fakes/common/
// faults.h) through the running operator, alone and mixed.
//  - On reads (GET /v2/keys, the fault held until lifted): keyroll stays up (/healthz), the
//    Secret is not touched (same data, same resourceVersion), KeysSynced=False/ProviderError
//    names the kind of failure, the metrics show the failing requests
//    (keyroll_provider_requests_total{op="get_keys",code}), failed reconciles
//    (keyroll_reconcile_total{result="error"}) and backoff retries
//    (keyroll_workqueue_retries_total); once the fault is lifted the keys sync again, unchanged.
//  - On the rotate call (once): exactly one rotation in the end, the rotate call repeated only
//    after a read proved it had not happened (never blindly), a RotationFailed event that names
//    the failure, the Secret equal to the provider's keys and every invariant of
//    robustness_invariants.h.
//  - Mixed: several faults queued on both calls at once.
// Provider faults need only the QStash fake, so these run against a real cluster too.
#include <gtest/gtest.h>

#include <iostream>
#include <sstream>

#include "tests/support/robustness_invariants.h"
#include "tests/support/wait.h"

namespace keyroll::testing {
namespace {
namespace KEYROLL_UNITY_ID {

using fakes::Fault;
using fakes::FaultKind;
using fakes::FaultOp;
using fakes::MakeFault;

const std::map<std::string, std::string> kEnv = {{"KEYROLL_PENDING_ROTATION_SETTLE", "1s"}};

// Sum of the samples of `name` whose labels include every one of `labels`.
double MetricSum(const std::string& text, const std::string& name, const std::map<std::string, std::string>& labels) {
  double sum = 0;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(name, 0) != 0 || line.size() <= name.size()) continue;
    char after = line[name.size()];
    if (after != '{' && after != ' ') continue;
    std::string label_text = after == '{' ? line.substr(name.size(), line.find('}') - name.size()) : "";
    bool all = true;
    for (const auto& [k, v] : labels)
      if (label_text.find(k + "=\"" + v + "\"") == std::string::npos) all = false;
    if (!all) continue;
    try {
      sum += std::stod(line.substr(line.rfind(' ') + 1));
    } catch (...) {
    }
  }
  return sum;
}

struct FaultCase {
  std::string name;
  Fault fault;
  std::vector<std::string> says;  // the condition/event message names one of these
  std::string code;               // keyroll_provider_requests_total{code}
  bool performs = true;           // rotate faults: the fake rotates before answering badly
  bool fails = true;              // the call ends in an error (latency below the timeout does not)
};

std::vector<FaultCase> FaultCases(FaultOp op) {
  std::vector<FaultCase> out;
  auto add = [&](std::string name, Fault f, std::vector<std::string> says, std::string code, bool performs,
                 bool fails = true) {
    f.op = op;
    out.push_back({std::move(name), f, std::move(says), std::move(code), performs, fails});
  };
  const bool rotate = op == FaultOp::kRotate;
  for (int status : {500, 503}) {
    Fault f = MakeFault(FaultKind::kStatus, op);
    f.status = status;
    // A read retries a 5xx and then calls the provider unavailable; a rotate is never retried,
    // and a definite error answer means it was not done (Rejected).
    add("status " + std::to_string(status), f,
        {std::string(rotate ? "(Rejected)" : "(Unavailable)") + ": QStash answered " + std::to_string(status)},
        std::to_string(status), false);
  }
  Fault rl = MakeFault(FaultKind::kRateLimit, op);
  add("rate-limit with Retry-After", rl, {"(RateLimited)"}, "429", false);
  rl.send_retry_after = false;
  add("rate-limit with only Burst-RateLimit-Reset", rl, {"(RateLimited)"}, "429", false);
  add("drop-before", MakeFault(FaultKind::kDropBefore, op), {"(Unavailable)", "(OutcomeUnknown)"}, "error", false);
  add("drop-after", MakeFault(FaultKind::kDropAfter, op), {rotate ? "(OutcomeUnknown)" : "(Unavailable)"}, "error", true);
  Fault slow = MakeFault(FaultKind::kLatency, op);
  slow.latency = std::chrono::milliseconds(1500);  // below the 10 s read timeout: slow, not failed
  add("latency 1.5 s", slow, {}, "200", true, false);
  add("truncated", MakeFault(FaultKind::kTruncated, op), {"(OutcomeUnknown)", "(Unavailable)", "(InvalidResponse)"},
      "", true);
  // A garbage answer to a rotate that succeeded leaves the outcome unknown (kind OutcomeUnknown);
  // the message still says what came back.
  const std::vector<std::string> garbage = {"(InvalidResponse)", "answered with invalid keys"};
  add("non-json", MakeFault(FaultKind::kNonJson, op), garbage, "200", true);
  for (const char* v : {"current-number", "missing-next", "missing-current", "equal", "empty-current", "null-next",
                        "array", "string"}) {
    Fault f = MakeFault(FaultKind::kWrongJson, op);
    f.variant = v;
    add(std::string("wrong-json ") + v, f, garbage, "200", true);
  }
  return out;
}

bool SaysOneOf(const std::string& text, const std::vector<std::string>& says) {
  for (const auto& s : says)
    if (text.find(s) != std::string::npos) return true;
  return says.empty();
}

RotationLedger SetUpPayments(E2EEnvironment& env) {
  RotationLedger l{"payments", "qstash-signing-keys", {"api", "worker"}};
  env.CreateDeployment(MakeDeployment("api", l.secret, SecretUse::kEnvFrom));
  env.CreateDeployment(MakeDeployment("worker", l.secret, SecretUse::kVolume));
  json skr = MakeQStashSkr(l.skr, env.qstash_url(), l.secret, l.consumers);
  skr["spec"]["consumers"]["maxConcurrentRestarts"] = 2;
  env.CreateSkr(skr);
  env.StartOperator(kEnv);
  EXPECT_TRUE(WaitConverged(env, l)) << ConditionSummary(env.Skr(l.skr));
  return l;
}

E2EOptions Options() {
  E2EOptions o;
  o.start_operator = false;
  o.rollout_delay = std::chrono::milliseconds(20);
  return o;
}

// RotationFailed events by message, with their counts (the recorder aggregates repeats).
std::map<std::string, int> RotationFailures(E2EEnvironment& env, const std::string& skr) {
  std::map<std::string, int> out;
  for (const auto& e : SkrEvents(env.kube(), env.ns(), skr))
    if (e.value("reason", "") == "RotationFailed") out[e.value("message", "")] += std::max(1, e.value("count", 1));
  return out;
}

std::string SecretVersion(E2EEnvironment& env, const std::string& name) {
  auto s = GetObject(env.kube(), kube::resources::kSecrets, env.ns(), name);
  return s ? kube::ResourceVersionOf(*s) : "";
}

TEST(RobustnessProviderFaults, EveryBadReadAnswerChangesNothingAndSaysWhy) {
  KEYROLL_E2E_REQUIRE_OPERATOR();
  E2EEnvironment env(Options());
  RotationLedger l = SetUpPayments(env);
  const auto data_before = env.SecretData(l.secret);
  const std::string rv_before = SecretVersion(env, l.secret);
  int injected = 0;
  for (FaultCase c : FaultCases(FaultOp::kGetKeys)) {
    SCOPED_TRACE(c.name);
    c.fault.count = 1000000;  // every read until lifted
    env.qstash().ResetFaults();
    env.qstash().InjectFault(c.fault);
    ++injected;
    env.keyroll().Stop();
    env.StartOperator(kEnv);  // its first reconcile reads the keys
    if (c.fails) {
      json skr = env.WaitSkr(l.skr, [&](const json& s) {
        json k = FindCondition(s, "KeysSynced");
        return StrAt(k, "/status") == "False" && StrAt(k, "/reason") == "ProviderError" &&
               SaysOneOf(StrAt(k, "/message"), c.says);
      }, std::chrono::seconds(30));
      json k = FindCondition(skr, "KeysSynced");
      EXPECT_EQ(StrAt(k, "/reason"), "ProviderError") << ConditionSummary(skr);
      EXPECT_TRUE(SaysOneOf(StrAt(k, "/message"), c.says)) << StrAt(k, "/message");
      EXPECT_TRUE(HasCondition(skr, "Ready", "False", "ProviderError")) << ConditionSummary(skr);
      EXPECT_EQ(StrAt(skr, "/status/phase"), "Blocked");
      // Backoff: failed reconciles retried through the workqueue's per-key backoff.
      ASSERT_TRUE(WaitUntil([&] {
        return MetricSum(env.keyroll().Metrics().body, "keyroll_workqueue_retries_total", {}) >= 1;
      }));
      std::string metrics = env.keyroll().Metrics().body;
      EXPECT_GE(MetricSum(metrics, "keyroll_reconcile_total", {{"result", "error"}}), 1) << metrics;
      if (!c.code.empty()) {
        EXPECT_GE(MetricSum(metrics, "keyroll_provider_requests_total",
                            {{"provider", "qstash"}, {"op", "get_keys"}, {"code", c.code}}), 1)
            << metrics;
      }
    } else {
      EXPECT_TRUE(WaitUntil([&] {
        return MetricSum(env.keyroll().Metrics().body, "keyroll_provider_requests_total",
                         {{"op", "get_keys"}, {"code", "200"}}) >= 1;
      }));
      EXPECT_TRUE(IsReadyAndSynced(env.WaitSkr(l.skr, IsReadyAndSynced)));
    }
    EXPECT_EQ(env.keyroll().Probe("/healthz").status, 200);
    EXPECT_TRUE(env.SecretData(l.secret) == data_before) << "a bad answer changed the Secret";
    EXPECT_EQ(SecretVersion(env, l.secret), rv_before) << "a bad answer made keyroll write the Secret";

    // Lifted: the keys sync again (the same keys: nothing was rotated).
    env.qstash().ResetFaults();
    env.keyroll().Stop();
    env.StartOperator(kEnv);
    EXPECT_TRUE(WaitConverged(env, l)) << ConditionSummary(env.Skr(l.skr));
  }
  std::cout << "[provider faults] reads: " << injected << " faults injected (held on every read)\n";
  EXPECT_EQ(env.account().rotations, 0);
  EXPECT_EQ(InvariantViolations(env, l), std::vector<std::string>{});
  EXPECT_EQ(env.FindLeaks(), std::vector<std::string>{});
  KEYROLL_SKIP_UNLESS_FAKE(env.cluster(), kGateNeedsJournal);
}

TEST(RobustnessProviderFaults, EveryBadRotateAnswerEndsInExactlyOneRotation) {
  KEYROLL_E2E_REQUIRE_OPERATOR();
  E2EEnvironment env(Options());
  RotationLedger l = SetUpPayments(env);
  int injected = 0;
  for (const FaultCase& c : FaultCases(FaultOp::kRotate)) {
    SCOPED_TRACE(c.name);
    const int calls_before = env.account().requests["rotate"];
    const auto failed_before_by_message = RotationFailures(env, l.skr);
    const int failed_before = CountEvents(SkrEvents(env.kube(), env.ns(), l.skr), "RotationFailed");
    const double code_before = MetricSum(env.keyroll().Metrics().body, "keyroll_provider_requests_total",
                                         {{"op", "rotate"}, {"code", c.code}});
    env.qstash().InjectFault(c.fault);
    ++injected;
    const std::string id = "rot-" + std::to_string(injected);
    RequestRotation(env.kube(), env.ns(), l.skr, id);
    l.request_id = id;
    ++l.rotations_due;
    EXPECT_TRUE(WaitConverged(env, l)) << ConditionSummary(env.Skr(l.skr));
    EXPECT_EQ(InvariantViolations(env, l), std::vector<std::string>{});
    // Repeated only when a read showed the first call changed nothing.
    EXPECT_EQ(env.account().requests["rotate"] - calls_before, c.performs ? 1 : 2);
    auto events = SkrEvents(env.kube(), env.ns(), l.skr);
    if (c.fails) {
      EXPECT_EQ(CountEvents(events, "RotationFailed"), failed_before + 1);
      std::string message;  // the event this case added (or counted up)
      for (const auto& [m, n] : RotationFailures(env, l.skr)) {
        auto before = failed_before_by_message.find(m);
        if (before == failed_before_by_message.end() || before->second < n) message = m;
      }
      EXPECT_TRUE(SaysOneOf(message, c.says)) << message;
    } else {
      EXPECT_EQ(CountEvents(events, "RotationFailed"), failed_before);
    }
    if (!c.code.empty()) {
      EXPECT_GE(MetricSum(env.keyroll().Metrics().body, "keyroll_provider_requests_total",
                          {{"op", "rotate"}, {"code", c.code}}), code_before + 1);
    }
    EXPECT_EQ(env.keyroll().Probe("/healthz").status, 200);
  }
  std::cout << "[provider faults] rotate: " << injected << " faults injected, " << l.rotations_due
            << " rotations, " << env.account().requests["rotate"] << " rotate calls\n";
  EXPECT_EQ(env.FindLeaks(), std::vector<std::string>{});
  KEYROLL_SKIP_UNLESS_FAKE(env.cluster(), kGateNeedsJournal);
}

TEST(RobustnessProviderFaults, MixedFaultsEndInExactlyOneRotationPerRequest) {
  KEYROLL_E2E_REQUIRE_OPERATOR();
  E2EEnvironment env(Options());
  RotationLedger l = SetUpPayments(env);
  auto status = [](FaultOp op, int code, int count) {
    Fault f = MakeFault(FaultKind::kStatus, op, count);
    f.status = code;
    return f;
  };
  auto wrong = [](FaultOp op, const char* variant) {
    Fault f = MakeFault(FaultKind::kWrongJson, op);
    f.variant = variant;
    return f;
  };
  Fault slow = MakeFault(FaultKind::kLatency, FaultOp::kAny);
  slow.latency = std::chrono::milliseconds(800);
  const std::vector<std::vector<Fault>> mixes = {
      {status(FaultOp::kGetKeys, 503, 2), MakeFault(FaultKind::kTruncated, FaultOp::kGetKeys),
       wrong(FaultOp::kRotate, "missing-next")},
      {MakeFault(FaultKind::kRateLimit, FaultOp::kRotate), MakeFault(FaultKind::kDropAfter, FaultOp::kRotate)},
      {MakeFault(FaultKind::kNonJson, FaultOp::kGetKeys), status(FaultOp::kRotate, 500, 1), slow,
       MakeFault(FaultKind::kDropBefore, FaultOp::kAny), wrong(FaultOp::kGetKeys, "equal"),
       MakeFault(FaultKind::kTruncated, FaultOp::kRotate)},
  };
  int injected = 0;
  for (size_t i = 0; i < mixes.size(); ++i) {
    SCOPED_TRACE("mix " + std::to_string(i));
    for (const auto& f : mixes[i]) {
      env.qstash().InjectFault(f);
      injected += f.count;
    }
    const std::string id = "mix-" + std::to_string(i);
    RequestRotation(env.kube(), env.ns(), l.skr, id);
    l.request_id = id;
    ++l.rotations_due;
    EXPECT_TRUE(WaitConverged(env, l, std::chrono::seconds(90))) << ConditionSummary(env.Skr(l.skr));
    EXPECT_EQ(InvariantViolations(env, l), std::vector<std::string>{});
    env.qstash().ResetFaults();  // what a mix did not use
  }
  std::cout << "[provider faults] mixed: " << mixes.size() << " mixes, " << injected << " faults queued, "
            << env.account().rotations << " rotations for " << l.rotations_due << " requests\n";
  EXPECT_EQ(env.keyroll().Probe("/healthz").status, 200);
  EXPECT_EQ(env.FindLeaks(), std::vector<std::string>{});
  KEYROLL_SKIP_UNLESS_FAKE(env.cluster(), kGateNeedsJournal);
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::testing
