// The QStash client against the QStash fake over verified TLS: reads, rotation, auth errors,
// HTTP error statuses, retries and rate limits.
#include "tests/integration/qstash_client_fixture.h"

namespace keyroll::testing {
namespace {
namespace KEYROLL_UNITY_ID {

using fakes::Fault;
using fakes::FaultKind;
using fakes::FaultOp;
using fakes::MakeFault;
using providers::ErrorKind;
using namespace std::chrono_literals;

TEST_F(QStashClientTest, ReadKeysReturnsTheAccountsKeys) {
  auto keys = Make()->ReadKeys();
  ASSERT_TRUE(keys.ok()) << keys.error().message;
  EXPECT_EQ(keys->current.reveal(), State().current);
  EXPECT_EQ(keys->next.reveal(), State().next);
  EXPECT_EQ(State().requests["get_keys"], 1);
  EXPECT_EQ(observed_, (std::vector<std::pair<std::string, int>>{{"get_keys", 200}}));
}

TEST_F(QStashClientTest, RotateMakesNextCurrentAndAFreshNext) {
  auto before = State();
  auto keys = Make()->Rotate();
  ASSERT_TRUE(keys.ok()) << keys.error().message;
  EXPECT_EQ(keys->current.reveal(), before.next);
  EXPECT_NE(keys->next.reveal(), before.next);
  EXPECT_NE(keys->next.reveal(), before.current);
  EXPECT_EQ(keys->next.reveal().rfind("sig_", 0), 0u);
  EXPECT_EQ(keys->next.reveal().size(), 32u);
  EXPECT_EQ(State().rotations, 1);
  EXPECT_EQ(State().current, before.next);
}

TEST_F(QStashClientTest, AWrongTokenIsUnauthorizedAndNotRetried) {
  auto client = Make(Options("not-a-token"));
  const auto& read = Err(client->ReadKeys());
  EXPECT_EQ(read.kind, ErrorKind::kUnauthorized);
  EXPECT_EQ(read.http_status, 401);
  EXPECT_NE(read.message.find("Unauthorized"), std::string::npos) << read.message;
  EXPECT_EQ(Err(client->Rotate()).kind, ErrorKind::kUnauthorized);
  EXPECT_TRUE(sleeps_.empty());
  EXPECT_EQ(State().rotations, 0);
}

TEST_F(QStashClientTest, ServerErrorsOnReadsAreRetriedWithBackoff) {
  fake_.InjectFault(MakeFault(FaultKind::kStatus, FaultOp::kGetKeys, 2));
  auto keys = Make()->ReadKeys();
  ASSERT_TRUE(keys.ok()) << keys.error().message;
  EXPECT_EQ(State().requests["get_keys"], 3);
  EXPECT_EQ(sleeps_, (std::vector<std::chrono::milliseconds>{200ms, 400ms}));  // jitter fixed at 1.0
  EXPECT_EQ(observed_, (std::vector<std::pair<std::string, int>>{{"get_keys", 503}, {"get_keys", 503}, {"get_keys", 200}}));
}

TEST_F(QStashClientTest, ServerErrorsOnReadsGiveUpAfterTheAttemptBudget) {
  fake_.InjectFault(MakeFault(FaultKind::kStatus, FaultOp::kGetKeys, 100));
  auto o = Options(token_);
  o.retry.max_attempts = 3;
  const auto& e = Err(Make(o)->ReadKeys());
  EXPECT_EQ(e.kind, ErrorKind::kUnavailable);
  EXPECT_EQ(e.http_status, 503);
  EXPECT_EQ(State().requests["get_keys"], 3);
  EXPECT_EQ(sleeps_.size(), 2u);
}

TEST_F(QStashClientTest, RetriesStopAtTheTotalTimeBudget) {
  fake_.InjectFault(MakeFault(FaultKind::kStatus, FaultOp::kGetKeys, 100));
  auto o = Options(token_);
  o.retry.max_attempts = 10;
  o.retry.max_total = 900ms;  // 200 + 400 and the quick attempts fit, 800 more does not
  EXPECT_EQ(Err(Make(o)->ReadKeys()).kind, ErrorKind::kUnavailable);
  EXPECT_EQ(sleeps_, (std::vector<std::chrono::milliseconds>{200ms, 400ms}));
}

// Issue 17: each attempt on a hung endpoint costs a whole read timeout. The budget counts the
// attempts too, so the read gives up after about max_total, not after max_attempts timeouts
// (10 here, which fit the budget if only the waits counted).
TEST_F(QStashClientTest, AHungEndpointCostsTheTimeBudgetNotEveryAttemptsTimeout) {
  fake_.InjectFault(MakeFault(FaultKind::kHang, FaultOp::kGetKeys, -1));
  auto o = Options(token_);
  o.timeouts.read = 300ms;
  o.retry.max_attempts = 10;
  o.retry.initial_backoff = 100ms;
  o.retry.max_backoff = 100ms;
  o.retry.max_total = 1000ms;  // 300 + 100 + 300 + 100 + 300: the third attempt is the last
  EXPECT_EQ(Err(Make(o)->ReadKeys()).kind, ErrorKind::kUnavailable);
  std::lock_guard lock(mu_);
  EXPECT_GE(observed_.size(), 1u);
  EXPECT_LE(observed_.size(), 3u);
  EXPECT_LE(sleeps_.size(), 2u);
}

TEST_F(QStashClientTest, ServerErrorOnRotateIsRejectedAndNeverRetried) {
  fake_.InjectFault(MakeFault(FaultKind::kStatus, FaultOp::kRotate, 5));
  const auto& e = Err(Make()->Rotate());
  EXPECT_EQ(e.kind, ErrorKind::kRejected);
  EXPECT_EQ(e.http_status, 503);
  EXPECT_EQ(State().requests["rotate"], 1);
  EXPECT_EQ(State().rotations, 0);
  EXPECT_TRUE(sleeps_.empty());
}

TEST_F(QStashClientTest, StatusCodesMapToKinds) {
  struct Case {
    int status;
    ErrorKind read, rotate;
  } cases[] = {{400, ErrorKind::kRejected, ErrorKind::kRejected},
               {403, ErrorKind::kForbidden, ErrorKind::kForbidden},
               {404, ErrorKind::kRejected, ErrorKind::kRejected},
               {500, ErrorKind::kUnavailable, ErrorKind::kRejected},
               {502, ErrorKind::kUnavailable, ErrorKind::kRejected}};
  auto o = Options(token_);
  o.retry.max_attempts = 1;
  auto client = Make(o);
  for (const auto& c : cases) {
    Fault f = MakeFault(FaultKind::kStatus, FaultOp::kAny, 2);
    f.status = c.status;
    fake_.InjectFault(f);
    const auto& read = Err(client->ReadKeys());
    EXPECT_EQ(read.kind, c.read) << c.status;
    EXPECT_EQ(read.http_status, c.status);
    EXPECT_NE(read.message.find(std::to_string(c.status)), std::string::npos) << read.message;
    EXPECT_EQ(Err(client->Rotate()).kind, c.rotate) << c.status;
  }
  EXPECT_EQ(State().rotations, 0);
}

TEST_F(QStashClientTest, RateLimitedReadsWaitAsRetryAfterSays) {
  Fault f = MakeFault(FaultKind::kRateLimit, FaultOp::kGetKeys);
  f.retry_after_seconds = 7;
  fake_.InjectFault(f);
  auto keys = Make()->ReadKeys();
  ASSERT_TRUE(keys.ok()) << keys.error().message;
  EXPECT_EQ(sleeps_, (std::vector<std::chrono::milliseconds>{7000ms}));
}

TEST_F(QStashClientTest, RateLimitedReadsWaitForTheBurstResetWithoutRetryAfter) {
  Fault f = MakeFault(FaultKind::kRateLimit, FaultOp::kGetKeys);
  f.retry_after_seconds = 3;
  f.send_retry_after = false;  // only Burst-RateLimit-Reset (unix seconds)
  fake_.InjectFault(f);
  auto keys = Make()->ReadKeys();
  ASSERT_TRUE(keys.ok()) << keys.error().message;
  ASSERT_EQ(sleeps_.size(), 1u);
  EXPECT_GE(sleeps_[0], 1000ms);  // reset is 3 s after the fake's clock read; allow a slow machine
  EXPECT_LE(sleeps_[0], 4000ms);
}

TEST_F(QStashClientTest, TooLongARateLimitWaitIsReportedNotSlept) {
  Fault f = MakeFault(FaultKind::kRateLimit, FaultOp::kGetKeys);
  f.retry_after_seconds = 120;
  fake_.InjectFault(f);
  const auto& e = Err(Make()->ReadKeys());
  EXPECT_EQ(e.kind, ErrorKind::kRateLimited);
  EXPECT_EQ(e.http_status, 429);
  EXPECT_EQ(e.retry_after, std::chrono::seconds(120));
  EXPECT_TRUE(sleeps_.empty());
}

TEST_F(QStashClientTest, RateLimitedRotateIsReportedWithRetryAfterAndNotRetried) {
  Fault f = MakeFault(FaultKind::kRateLimit, FaultOp::kRotate);
  f.retry_after_seconds = 5;
  fake_.InjectFault(f);
  const auto& e = Err(Make()->Rotate());
  EXPECT_EQ(e.kind, ErrorKind::kRateLimited);
  EXPECT_EQ(e.retry_after, std::chrono::seconds(5));
  EXPECT_EQ(State().rotations, 0);
  EXPECT_TRUE(sleeps_.empty());
}

TEST_F(QStashClientTest, TheFakesPerAccountRateLimitIsHonouredWithRealWaiting) {
  fake_.SetRateLimit(1);
  auto o = Options(token_);
  o.sleep = [this](std::chrono::milliseconds d) {
    {
      std::lock_guard lock(mu_);
      sleeps_.push_back(d);
    }
    std::this_thread::sleep_for(d);
  };
  auto client = Make(o);
  // Quick reads: within a few of them two fall into the same one-second window, which gives
  // 429 + Retry-After 1; the client then waits a second and succeeds in the next window.
  bool saw_429 = false;
  for (int i = 0; i < 5 && !saw_429; ++i) {
    auto keys = client->ReadKeys();
    ASSERT_TRUE(keys.ok()) << keys.error().message;
    for (const auto& [op, code] : observed_) saw_429 |= code == 429;
  }
  ASSERT_FALSE(sleeps_.empty());
  EXPECT_EQ(sleeps_[0], 1000ms);
  EXPECT_TRUE(saw_429);
}

TEST_F(QStashClientTest, AccountIdIsStableAndHidesTheToken) {
  auto a = Make()->AccountId();
  EXPECT_EQ(a, Make()->AccountId());
  EXPECT_EQ(a.size(), 64u);
  EXPECT_EQ(a.find(token_), std::string::npos);
  EXPECT_NE(a, Make(Options("other-token"))->AccountId());
  auto o = Options(token_);
  o.url = fake_.base_url() + "/";  // the same URL, normalised
  EXPECT_EQ(a, Make(o)->AccountId());
  EXPECT_EQ(Make()->Name(), "qstash");
}

TEST_F(QStashClientTest, BadConfigurationIsReportedAtCreation) {
  auto o = Options("");
  auto empty_token = providers::qstash::Client::Create(o);
  ASSERT_FALSE(empty_token.ok());
  EXPECT_EQ(empty_token.error().kind, ErrorKind::kBadConfig);
  o = Options(token_);
  o.url = "qstash.upstash.io";
  ASSERT_FALSE(providers::qstash::Client::Create(o).ok());
  o = Options(token_);
  o.tls.ca_pem = "not a certificate";
  EXPECT_EQ(Err(Make(o)->ReadKeys()).kind, ErrorKind::kBadConfig);
  o.tls.ca_pem.clear();
  o.tls.ca_file = "/nonexistent/ca.crt";
  EXPECT_EQ(Err(Make(o)->ReadKeys()).kind, ErrorKind::kBadConfig);
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::testing
