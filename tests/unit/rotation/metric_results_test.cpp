// The result label values of keyroll_rotations_total and keyroll_revocations_total are
// what Decide puts in Plan::rotation_result and revoke_result. vocabulary.h lists
// them and the metrics pre-create series from those lists; driving Decide through every
// outcome shows it emits exactly the listed values: none unlisted (a result no dashboard
// expects) and none listed that it never emits (a series that would stay 0 forever).
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "operator/rotation/vocabulary.h"
#include "tests/unit/rotation/rotation_fixtures.h"

namespace keyroll::rotation {
namespace {
namespace KEYROLL_UNITY_ID {

using namespace keyroll::rotation::testing;
using Crash = Sim::Crash;

template <typename List>
std::set<std::string> AsSet(const List& list) {
  return {list.begin(), list.end()};
}

// Every value of `field` ("rotationResult", "revokeResult") in the plans a Sim recorded.
void Collect(const Sim& s, const char* field, std::set<std::string>& out) {
  for (const auto& text : s.all_text) {
    auto plan = nlohmann::json::parse(text);
    if (plan.contains(field)) out.insert(plan[field].get<std::string>());
  }
}

// A settled world with a new rotation request.
Sim Requested() {
  Sim s = Settled();
  SetSpec(s, {{"rotation", {{"requestID", "r2"}}}});
  return s;
}

// As a restarted operator: a cold provider cache, time past every settle delay.
void Recover(Sim& s) {
  s.o.provider = ObservedProvider{};
  for (int i = 0; i < 10; ++i) {
    s.now += Seconds{30};
    s.Settle(20, Seconds{30});
  }
}

TEST(MetricResults, DecideEmitsExactlyTheListedRotationResults) {
  std::set<std::string> seen;
  // A rotation cut short at every step (a crash), then recovered.
  for (Crash crash : {Crash::None, Crash::BeforeIntent, Crash::AfterIntent, Crash::AfterRotateCall,
                      Crash::RotateAnswerLost, Crash::AfterSecretWrite, Crash::AfterRestarts}) {
    Sim s = Requested();
    s.Reconcile(crash);
    Recover(s);
    Collect(s, "rotationResult", seen);
  }
  {  // The rotate call fails.
    Sim s = Requested();
    ASSERT_TRUE(s.WriteIntent().rotate);
    s.o.rotate_outcome = RotateOutcome{std::nullopt, ProviderError{ProviderErrorKind::Unavailable, "HTTP 500"}};
    s.Record(Decide(s.o, s.now));
    Collect(s, "rotationResult", seen);
  }
  {  // Someone else rotated twice while our intent was pending.
    Sim s = Requested();
    s.Reconcile(Crash::AfterIntent);
    s.ProviderRotate();
    s.ProviderRotate();
    s.o.provider = ObservedProvider{};
    s.now += Seconds{5};
    s.Reconcile();
    Collect(s, "rotationResult", seen);
  }
  EXPECT_EQ(seen, AsSet(vocab::kRotationResults));
}

TEST(MetricResults, DecideEmitsExactlyTheListedRevokeResults) {
  std::set<std::string> seen;
  const RevokeOutcome outcomes[] = {
      {"kidPrevious", true, std::nullopt, std::nullopt},   // revoked
      {"kidPrevious", false, std::nullopt, std::nullopt},  // no longer the previous key
      {"kidPrevious", false, std::nullopt, ProviderError{ProviderErrorKind::Timeout, "timed out"}},
  };
  for (const auto& outcome : outcomes) {
    Sim s = Settled();
    s.Read();
    s.o.revoke_outcome = outcome;
    s.o.revoke_outcome->keys = outcome.error ? std::nullopt : std::optional(s.PK());
    s.Record(Decide(s.o, s.now));
    Collect(s, "revokeResult", seen);
  }
  EXPECT_EQ(seen, AsSet(vocab::kRevokeResults));
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::rotation
