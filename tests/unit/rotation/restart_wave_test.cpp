// A wave of restarts in batches (issue 17): one event names the whole wave, and the status
// written after the first sync changes only by progress (rotation::OnlyProgress, which the
// controller holds back) until the Ready transition. Crashes between batches and a GitOps tool
// that removes the annotation behave as before.
#include <gtest/gtest.h>

#include "operator/rotation/judge_consumers.h"
#include "operator/rotation/status_progress.h"
#include "tests/unit/rotation/rotation_fixtures.h"

namespace keyroll::rotation {
namespace {
namespace KEYROLL_UNITY_ID {

using namespace keyroll::rotation::testing;
namespace v = vocab;

constexpr int kConsumers = 5;

Sim Wave() {
  nlohmann::json deployments = nlohmann::json::array();
  for (int i = 0; i < kConsumers; ++i) deployments.push_back({{"name", "c" + std::to_string(i)}});
  Sim s(Resource({{"consumers", {{"deployments", deployments}, {"maxConcurrentRestarts", 2}}}}));
  s.o.consumers.clear();
  for (int i = 0; i < kConsumers; ++i) s.o.consumers.push_back(Deployment("c" + std::to_string(i), std::nullopt));
  return s;
}

// What the controller writes of the statuses the plans carry: the first, then only those that
// are more than progress since the last one written (HeldStatus; nothing waits 30 s here).
struct Writes {
  std::optional<Status> written;
  std::vector<std::string> phases;  // of each status written
  void Take(const Plan& p) {
    if (!p.status || (written && OnlyProgress(*written, *p.status))) return;
    written = *p.status;
    phases.push_back(p.status->phase);
  }
};

struct Counted {
  Writes writes;
  std::vector<Event> events;
  std::map<std::string, int> patches;  // by consumer
  void Take(const std::vector<Plan>& plans) {
    for (const auto& p : plans) {
      writes.Take(p);
      events.insert(events.end(), p.events.begin(), p.events.end());
      for (const auto& r : p.restarts) ++patches[r.name];
    }
  }
};

// Reconciles until quiet; `between` runs after each reconcile (the rollouts complete there).
Counted RunWave(Sim& s, const std::function<void(Sim&, int)>& between = {}) {
  Counted c;
  for (int i = 0; i < 20; ++i) {
    auto plans = s.Reconcile();
    c.Take(plans);
    if (between) between(s, i);
    s.CompleteRollouts();
    if (plans.size() == 1 && MakesNoChanges(plans[0])) break;
    s.now += Seconds{1};
  }
  return c;
}

TEST(RestartWave, OneEventNamesTheWaveAndTwoStatusWritesSayIt) {
  Sim s = Wave();
  Counted c = RunWave(s);
  // Sim applies a plan as decided; the controller decides again after the Secret write
  // (DecideAfterSecretWrite), so that its first write is the second one here (the e2e test
  // E2EFirstSyncRequests counts 2).
  EXPECT_EQ(c.writes.phases, (std::vector<std::string>{std::string(v::kPhaseSyncing),
                                                       std::string(v::kPhaseWaitingForConsumers),
                                                       std::string(v::kPhaseReady)}))
      << "batches 2 and 3 are progress only";
  ASSERT_EQ(c.events.size(), 1u);
  EXPECT_EQ(c.events[0].reason, v::kEventKeysSynced);
  EXPECT_NE(c.events[0].message.find("restarting Deployment \"c0\", Deployment \"c1\" to load keys "),
            std::string::npos) << c.events[0].message;
  EXPECT_NE(c.events[0].message.find("; then Deployment \"c2\", Deployment \"c3\", Deployment \"c4\" as restart "
                                     "slots free up (maxConcurrentRestarts 2)"),
            std::string::npos) << c.events[0].message;
  const Status& st = s.o.resource.status;
  EXPECT_EQ(st.phase, v::kPhaseReady);
  EXPECT_EQ(*c.writes.written, st) << "the last status is written";
  ASSERT_EQ(st.consumers.size(), static_cast<size_t>(kConsumers));
  for (const auto& consumer : st.consumers) {
    EXPECT_EQ(c.patches[consumer.name], 1) << consumer.name;
    EXPECT_TRUE(consumer.up_to_date) << consumer.name;
    EXPECT_EQ(consumer.restarts, 1) << consumer.name << ": each restart stays findable in the status";
    EXPECT_EQ(consumer.restarted_keys_hash, s.PK().keys_hash) << consumer.name;
  }
}

TEST(RestartWave, ACrashBetweenBatchesRestartsNobodyTwiceAndSaysNothingNew) {
  Sim s = Wave();
  std::optional<Status> first_write;
  // The held status is lost after the second batch's patches: the world goes on from the first
  // status written.
  Counted c = RunWave(s, [&](Sim& sim, int round) {
    if (!first_write && sim.o.resource.status.keys) first_write = sim.o.resource.status;
    if (round == 1) sim.o.resource.status = *first_write;
  });
  for (int i = 0; i < kConsumers; ++i) EXPECT_EQ(c.patches["c" + std::to_string(i)], 1) << i;
  EXPECT_EQ(s.o.resource.status.phase, v::kPhaseReady);
  EXPECT_EQ(c.events.size(), 1u) << "the later batches were named by the first event";
}

TEST(RestartWave, AnAnnotationRemovedAgainIsWrittenAtOnceAndStopsAfterTheMaximum) {
  Sim s = Wave();
  s.rollouts_complete_at_once = false;
  Counted c = RunWave(s, [](Sim& sim, int round) {
    if (round == 0) return;
    for (auto& d : sim.o.consumers)
      if (d.name == "c4") d.template_keys_hash.reset();  // a GitOps sync, again and again
  });
  EXPECT_EQ(c.patches["c4"], kMaxRestartAttempts);
  const ConsumerStatus& c4 = s.o.resource.status.consumers.back();
  EXPECT_EQ(c4.restarts, kMaxRestartAttempts);
  EXPECT_EQ(*c.writes.written, s.o.resource.status) << "the last status is written";
  EXPECT_EQ(Cond(s.o.resource.status, v::kCondConsumersUpToDate).reason, v::kReasonConsumerCannotComplete);
  int said_again = 0;
  for (const auto& e : c.events)
    said_again += e.reason == v::kEventConsumerRestarted && e.message.find("Deployment \"c4\"") != std::string::npos;
  EXPECT_EQ(said_again, kMaxRestartAttempts - 1) << "the first restart was announced, the others are news";
}

Status Written() {
  Sim s = Wave();
  s.rollouts_complete_at_once = false;
  s.Reconcile();  // first sync: c0, c1 restarting, c2-c4 waiting
  return s.o.resource.status;
}

TEST(StatusProgress, ConsumersWordsAndFirstRestartsMayWait) {
  const Status written = Written();
  Status next = written;
  next.consumers[0].up_to_date = true;
  next.consumers[0].message = "up to date";
  next.consumers[2].restarts = 1;
  next.consumers[2].restarted_keys_hash = written.keys->keys_hash;
  next.consumers_ready = "1/5";
  for (auto& cond : next.conditions)
    if (cond.type != v::kCondKeysSynced) cond.message += " (changed)";
  EXPECT_TRUE(OnlyProgress(written, next));
}

TEST(StatusProgress, OnlyWhileConsumersRollOut) {
  Sim s = Wave();
  s.Settle();
  Status written = s.o.resource.status;
  ASSERT_EQ(written.phase, v::kPhaseReady);
  Status next = written;
  for (auto& cond : next.conditions) cond.message += " (changed)";
  EXPECT_FALSE(OnlyProgress(written, next)) << "a changed message outside a wave is news";
}

TEST(StatusProgress, TransitionsSecondRestartsAndEverythingElseAreWrittenAtOnce) {
  const Status written = Written();
  auto changed = [&](const std::function<void(Status&)>& f) {
    Status next = written;
    f(next);
    return !OnlyProgress(written, next);
  };
  EXPECT_TRUE(changed([](Status& n) { n.conditions[0].reason = "Other"; }));
  EXPECT_TRUE(changed([](Status& n) {
    for (auto& cond : n.conditions)
      if (cond.type == v::kCondKeysSynced) cond.message += " (changed)";
  }));
  EXPECT_TRUE(changed([](Status& n) { n.conditions[0].status = "Unknown"; }));
  EXPECT_TRUE(changed([](Status& n) { n.phase = "Ready"; }));
  EXPECT_TRUE(changed([](Status& n) { n.consumers[0].restarts = 2; })) << "a second restart (the guard's count)";
  EXPECT_TRUE(changed([](Status& n) {
    n.consumers[2].restarts = 1;
    n.consumers[2].restarted_keys_hash = "other";
  }));
  EXPECT_TRUE(changed([](Status& n) { n.consumers.pop_back(); }));
  EXPECT_TRUE(changed([](Status& n) { n.keys->keys_hash = "other"; }));
  EXPECT_TRUE(changed([](Status& n) { n.pending_rotation = PendingRotation{}; }));
  EXPECT_TRUE(changed([](Status& n) { n.observed_generation += 1; }));
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::rotation
