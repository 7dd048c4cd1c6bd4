#include "operator/rotation/gate.h"

#include <gtest/gtest.h>

#include <functional>
#include <set>

#include "operator/rotation/vocabulary.h"
#include "tests/unit/rotation/rotation_fixtures.h"

namespace keyroll::rotation {
namespace {
namespace KEYROLL_UNITY_ID {

using namespace keyroll::rotation::testing;
namespace v = vocab;

struct World {
  Spec spec = ParseSpec(Resource()).value();
  Status status;
  std::optional<ProviderError> provider_error;
  SecretState secret = SecretState::InSync;
  std::vector<ConsumerJudgement> consumers = {{WorkloadKind::Deployment, "api", ConsumerState::UpToDate, "", false, false, 0, ""},
                                              {WorkloadKind::Deployment, "worker", ConsumerState::UpToDate, "", false, false, 0, ""}};
  std::optional<std::string> conflict;
  std::string origin = "Synced";
  Time now = T("2026-02-02T10:00:00Z");
  GateInput In() const { return GateInput{spec, status, provider_error, secret, consumers, conflict, origin, now}; }
};

struct Case {
  const char* name;
  std::function<void(World&)> setup;
  const char* reason;       // "" = allowed
  const char* fragment;
};

TEST(Gate, EachPolicyAndTheChainOrder) {
  const std::vector<Case> cases = {
      {"all good", [](World&) {}, "", ""},
      {"account conflict", [](World& w) { w.conflict = "older"; }, "Conflict", "\"older\""},
      {"suspended", [](World& w) { w.spec.rotation.suspend = true; }, "Suspended", "suspend"},
      {"provider error", [](World& w) { w.provider_error = ProviderError{ProviderErrorKind::RateLimited, "HTTP 429"}; }, "ProviderError", "RateLimited"},
      {"secret conflict", [](World& w) { w.secret = SecretState::Conflict; }, "SecretConflict", "not managed by keyroll"},
      {"secret missing", [](World& w) { w.secret = SecretState::Missing; }, "SecretDiffersFromProvider", "does not exist"},
      {"secret differs", [](World& w) { w.secret = SecretState::Differs; }, "SecretDiffersFromProvider", "does not hold"},
      {"drift waits for consumers", [](World& w) { w.origin = "Drift"; w.consumers[1].state = ConsumerState::Stale; w.consumers[1].message = "m"; }, "Drift", "worker (m)"},
      {"out-of-band waits for consumers", [](World& w) { w.origin = "OutOfBandRotation"; w.consumers[0].state = ConsumerState::RollingOut; }, "Drift", "api"},
      {"drift over once consumers caught up", [](World& w) { w.origin = "Drift"; }, "", ""},
      {"consumer not found", [](World& w) { w.consumers[0].state = ConsumerState::NotFound; w.consumers[0].message = "Deployment not found"; }, "ConsumerNotFound", "api (Deployment not found)"},
      {"consumer rollout failed", [](World& w) { w.consumers[1].state = ConsumerState::RolloutFailed; }, "ConsumerRolloutFailed", "worker"},
      {"consumer cannot complete", [](World& w) { w.consumers[1].kind = WorkloadKind::StatefulSet; w.consumers[1].state = ConsumerState::CannotComplete; w.consumers[1].message = "updateStrategy OnDelete"; }, "ConsumerCannotComplete", "StatefulSet/worker (updateStrategy OnDelete)"},
      {"consumer stale", [](World& w) { w.consumers[1].state = ConsumerState::Stale; }, "ConsumerStale", "worker"},
      {"consumer rolling out", [](World& w) { w.consumers[0].state = ConsumerState::RollingOut; }, "ConsumerStale", "api"},
      {"min interval", [](World& w) { w.status.last_rotation_time = w.now - std::chrono::minutes{30}; }, "MinIntervalNotElapsed", "2026-02-02T10:30:00Z"},
      {"min interval passed", [](World& w) { w.status.last_rotation_time = w.now - std::chrono::minutes{60}; }, "", ""},
      {"min interval zero", [](World& w) { w.spec.rotation.min_interval = Seconds{0}; w.status.last_rotation_time = w.now; }, "", ""},
      // Order: the first violation wins.
      {"conflict before suspend", [](World& w) { w.conflict = "a"; w.spec.rotation.suspend = true; }, "Conflict", ""},
      {"suspend before provider error", [](World& w) { w.spec.rotation.suspend = true; w.provider_error = ProviderError{}; }, "Suspended", ""},
      {"provider error before secret", [](World& w) { w.provider_error = ProviderError{}; w.secret = SecretState::Missing; }, "ProviderError", ""},
      {"secret conflict before consumers", [](World& w) { w.secret = SecretState::Conflict; w.consumers[0].state = ConsumerState::Stale; }, "SecretConflict", ""},
      {"not found before failed", [](World& w) { w.consumers[0].state = ConsumerState::RolloutFailed; w.consumers[1].state = ConsumerState::NotFound; }, "ConsumerNotFound", "worker"},
      {"failed before cannot complete", [](World& w) { w.consumers[0].state = ConsumerState::CannotComplete; w.consumers[1].state = ConsumerState::RolloutFailed; }, "ConsumerRolloutFailed", "worker"},
      {"cannot complete before stale", [](World& w) { w.consumers[0].state = ConsumerState::Stale; w.consumers[1].state = ConsumerState::CannotComplete; }, "ConsumerCannotComplete", "worker"},
      {"failed before stale", [](World& w) { w.consumers[0].state = ConsumerState::Stale; w.consumers[1].state = ConsumerState::RolloutFailed; }, "ConsumerRolloutFailed", "worker"},
      {"stale before min interval", [](World& w) { w.consumers[0].state = ConsumerState::Stale; w.status.last_rotation_time = w.now; }, "ConsumerStale", ""},
  };
  for (const auto& c : cases) {
    World w;
    c.setup(w);
    auto got = EvaluateGate(w.In());
    if (std::string(c.reason).empty()) {
      EXPECT_FALSE(got.has_value()) << c.name << ": " << (got ? got->reason + ": " + got->message : "");
      continue;
    }
    ASSERT_TRUE(got.has_value()) << c.name;
    EXPECT_EQ(got->reason, c.reason) << c.name;
    EXPECT_NE(got->message.find(c.fragment), std::string::npos) << c.name << ": " << got->message;
  }
}

TEST(Gate, ChainNamesArePolicyNames) {
  std::vector<std::string> names;
  for (const auto& p : GateChain()) names.emplace_back(p.name);
  EXPECT_EQ(names, (std::vector<std::string>{"AccountConflict", "Suspended", "ProviderUnavailable", "SecretConflict",
                                             "Drift", "SecretDiffersFromProvider", "ConsumerNotFound",
                                             "ConsumerRolloutFailed", "ConsumerCannotComplete", "ConsumerStale",
                                             "MinIntervalNotElapsed"}));
}

// keyroll_rotation_blocked{reason} takes its values from the gate: the vocabulary's list is
// exactly the reasons the chain's policies hold a rotation with (one case per policy).
TEST(Gate, BlockedReasonsListIsExactlyWhatThePoliciesSay) {
  const std::vector<std::function<void(World&)>> one_per_policy = {
      [](World& w) { w.conflict = "older"; },
      [](World& w) { w.spec.rotation.suspend = true; },
      [](World& w) { w.provider_error = ProviderError{}; },
      [](World& w) { w.secret = SecretState::Conflict; },
      [](World& w) { w.origin = "Drift"; w.consumers[0].state = ConsumerState::Stale; },
      [](World& w) { w.secret = SecretState::Differs; },
      [](World& w) { w.consumers[0].state = ConsumerState::NotFound; },
      [](World& w) { w.consumers[0].state = ConsumerState::RolloutFailed; },
      [](World& w) { w.consumers[0].state = ConsumerState::CannotComplete; },
      [](World& w) { w.consumers[0].state = ConsumerState::Stale; },
      [](World& w) { w.status.last_rotation_time = w.now; },
  };
  ASSERT_EQ(one_per_policy.size(), GateChain().size());
  std::set<std::string> said;
  for (const auto& setup : one_per_policy) {
    World w;
    setup(w);
    auto got = EvaluateGate(w.In());
    ASSERT_TRUE(got);
    said.insert(got->reason);
  }
  EXPECT_EQ(said, std::set<std::string>(v::kBlockedReasons.begin(), v::kBlockedReasons.end()));
}

TEST(Gate, LongConsumerListsAreBounded) {
  World w;
  w.consumers.clear();
  for (int i = 0; i < 50; ++i) w.consumers.push_back({WorkloadKind::Deployment, "d" + std::to_string(i), ConsumerState::Stale, "x", true, false, 0, ""});
  auto got = EvaluateGate(w.In());
  ASSERT_TRUE(got);
  EXPECT_NE(got->message.find("and 45 more"), std::string::npos);
  EXPECT_LT(got->message.size(), 300u);
}

TEST(Gate, MinIntervalEnd) {
  World w;
  EXPECT_FALSE(MinIntervalEnd(w.spec, w.status, w.now));
  w.status.last_rotation_time = w.now - std::chrono::minutes{10};
  EXPECT_EQ(MinIntervalEnd(w.spec, w.status, w.now), w.now + std::chrono::minutes{50});
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::rotation
