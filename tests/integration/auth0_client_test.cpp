// The Auth0 client against the Auth0 fake over verified TLS: reading and mapping the keys,
// rotation, revocation, scopes, client credentials, token caching and refresh, rate limits.
#include <nlohmann/json.hpp>
#include <thread>

#include "operator/providers/auth0/certificate.h"
#include "tests/integration/auth0_client_fixture.h"
#include "tests/support/wait.h"

namespace keyroll::testing {
namespace {
namespace KEYROLL_UNITY_ID {

using fakes::FaultKind;
using fakes::FaultOp;
using providers::ErrorKind;
using namespace std::chrono_literals;

std::string CertDer(const std::string& pem) { return providers::auth0::ParseRsaCertificate(pem).value().der; }

std::vector<std::string> JwksKids(const providers::KeySet& keys) {
  std::vector<std::string> kids;
  auto doc = nlohmann::json::parse(keys.extra_data.at("jwks.json").reveal());
  for (const auto& k : doc["keys"]) kids.push_back(k["kid"]);
  return kids;
}

const fakes::FakeSigningKey& FakeKey(const std::vector<fakes::FakeSigningKey>& keys, const std::string& kid) {
  for (const auto& k : keys) {
    if (k.kid == kid) return k;
  }
  throw std::runtime_error("no such kid in the fake");
}

TEST_F(Auth0ClientTest, ReadKeysMapsTheTenantsKeys) {
  auto keys = Make()->ReadKeys();
  ASSERT_TRUE(keys.ok()) << keys.error().message;
  auto state = fake_.State();
  auto all = fake_.Keys();
  EXPECT_EQ(keys->metadata.at("currentKid"), state.current_kid);
  EXPECT_EQ(keys->metadata.at("nextKid"), state.next_kid);
  EXPECT_EQ(keys->metadata.at("previousKid"), "");
  EXPECT_EQ(CertDer(keys->current.reveal()), FakeKey(all, state.current_kid).cert_der);
  EXPECT_EQ(CertDer(keys->next.reveal()), FakeKey(all, state.next_kid).cert_der);
  EXPECT_EQ(keys->current.reveal().find('\r'), std::string::npos);  // canonical PEM: "\n" line ends
  EXPECT_EQ(JwksKids(*keys), (std::vector<std::string>{state.current_kid, state.next_kid}));
  EXPECT_EQ(keys->extra_data.at("jwks.json").reveal(), fake_.JwksJson());  // what the tenant itself serves
  EXPECT_EQ(observed_, (std::vector<std::pair<std::string, int>>{{"token", 200}, {"get_keys", 200}}));
}

TEST_F(Auth0ClientTest, TheTokenIsFetchedOnceAndReused) {
  auto client = Make();
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(client->ReadKeys().ok());
  EXPECT_EQ(fake_.State().tokens_issued, 1);
  EXPECT_EQ(Count("get_keys"), 3);
}

TEST_F(Auth0ClientTest, RotateMovesNextToCurrentAndKeepsThePreviousInTheJwks) {
  auto before = fake_.State();
  auto keys = Make()->Rotate();
  ASSERT_TRUE(keys.ok()) << keys.error().message;
  auto after = fake_.State();
  EXPECT_EQ(after.rotations, 1);
  EXPECT_EQ(keys->metadata.at("currentKid"), before.next_kid);
  EXPECT_EQ(keys->metadata.at("previousKid"), before.current_kid);
  EXPECT_EQ(keys->metadata.at("nextKid"), after.next_kid);
  EXPECT_NE(after.next_kid, before.current_kid);
  EXPECT_EQ(JwksKids(*keys), (std::vector<std::string>{before.next_kid, after.next_kid, before.current_kid}));
  EXPECT_EQ(Count("rotate"), 1);
  EXPECT_EQ(Count("get_keys"), 1);  // re-listed after the rotation
}

TEST_F(Auth0ClientTest, RevokePreviousRevokesOnlyThePreviousKey) {
  auto client = Make();
  EXPECT_TRUE(client->SupportsRevokePrevious());
  auto nothing = client->RevokePrevious();  // no rotation yet: no previous key
  ASSERT_TRUE(nothing.ok()) << nothing.error().message;
  EXPECT_FALSE(nothing->revoked);
  EXPECT_EQ(Count("revoke"), 0);

  auto before = fake_.State();
  ASSERT_TRUE(client->Rotate().ok());
  auto outcome = client->RevokePrevious();
  ASSERT_TRUE(outcome.ok()) << outcome.error().message;
  EXPECT_TRUE(outcome->revoked);
  EXPECT_EQ(outcome->revoked_kid, before.current_kid);
  EXPECT_EQ(outcome->keys.metadata.at("previousKid"), "");
  EXPECT_EQ(JwksKids(outcome->keys).size(), 2u);
  EXPECT_EQ(fake_.State().revocations, 1);
  auto revoked = client->GetKey(before.current_kid);
  ASSERT_TRUE(revoked.ok()) << revoked.error().message;
  EXPECT_TRUE(revoked->revoked);
  EXPECT_FALSE(revoked->revoked_at.empty());

  auto again = client->RevokePrevious();  // idempotent: nothing left to revoke
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->revoked);
  EXPECT_EQ(fake_.State().revocations, 1);
}

TEST_F(Auth0ClientTest, RevokingANonPreviousKeyIsRefusedClearly) {
  auto client = Make();
  auto state = fake_.State();
  for (const auto& kid : {state.current_kid, state.next_kid}) {
    const auto& e = Err(client->Revoke(kid));
    EXPECT_EQ(e.kind, ErrorKind::kRejected) << e.message;
    EXPECT_EQ(e.http_status, 400);
    EXPECT_NE(e.message.find("Only the previous signing key can be revoked"), std::string::npos) << e.message;
  }
  const auto& unknown = Err(client->Revoke("no-such-kid"));
  EXPECT_EQ(unknown.http_status, 404);
  EXPECT_EQ(Err(client->Revoke("../../etc")).kind, ErrorKind::kBadConfig);  // never put into a URL
  EXPECT_EQ(fake_.State().revocations, 0);
  EXPECT_EQ(Count("revoke"), 3);  // not retried
  EXPECT_EQ(fake_.State().current_kid, state.current_kid);
}

TEST_F(Auth0ClientTest, GetKeyReadsOneKeyAndAnUnknownKidIsRejected) {
  auto client = Make();
  auto key = client->GetKey(fake_.State().next_kid);
  ASSERT_TRUE(key.ok()) << key.error().message;
  EXPECT_TRUE(key->next);
  EXPECT_FALSE(key->fingerprint.empty());
  const auto& e = Err(client->GetKey("unknown"));
  EXPECT_EQ(e.kind, ErrorKind::kRejected);
  EXPECT_EQ(e.http_status, 404);
  EXPECT_TRUE(sleeps_.empty());
}

TEST_F(Auth0ClientTest, InsufficientScopeIsForbiddenWithAClearMessage) {
  auto reader = fake_.AddClient("", "", {"read:signing_keys"});
  auto client = Make(Options(reader));
  ASSERT_TRUE(client->ReadKeys().ok());
  const auto& rotate = Err(client->Rotate());
  EXPECT_EQ(rotate.kind, ErrorKind::kForbidden);
  EXPECT_EQ(rotate.http_status, 403);
  EXPECT_NE(rotate.message.find("Insufficient scope, expected any of: create:signing_keys"), std::string::npos)
      << rotate.message;
  EXPECT_NE(rotate.message.find("insufficient_scope"), std::string::npos) << rotate.message;
  EXPECT_EQ(Err(client->Revoke(fake_.State().current_kid)).kind, ErrorKind::kForbidden);
  EXPECT_EQ(fake_.State().rotations, 0);

  auto nothing = fake_.AddClient("", "", {});
  const auto& read = Err(Make(Options(nothing))->ReadKeys());
  EXPECT_EQ(read.kind, ErrorKind::kForbidden);
  EXPECT_NE(read.message.find("read:signing_keys"), std::string::npos) << read.message;
  EXPECT_TRUE(sleeps_.empty());
}

TEST_F(Auth0ClientTest, WrongClientCredentialsAreUnauthorizedAndNotRetried) {
  auto o = Options(client_);
  o.client_secret = providers::SecretValue("not-the-secret");
  auto client = Make(o);
  const auto& e = Err(client->ReadKeys());
  EXPECT_EQ(e.kind, ErrorKind::kUnauthorized);
  EXPECT_EQ(e.http_status, 401);
  EXPECT_NE(e.message.find("invalid_client"), std::string::npos) << e.message;
  EXPECT_NE(e.message.find("client secret"), std::string::npos) << e.message;
  EXPECT_EQ(Err(client->Rotate()).kind, ErrorKind::kUnauthorized);
  EXPECT_EQ(Count("token"), 2);
  EXPECT_EQ(Count("get_keys") + Count("rotate"), 0);
  EXPECT_TRUE(sleeps_.empty());

  auto unknown = Options(client_);
  unknown.client_id = "nobody";
  EXPECT_EQ(Err(Make(unknown)->ReadKeys()).kind, ErrorKind::kUnauthorized);
}

TEST_F(Auth0ClientTest, AWrongAudienceIsForbidden) {
  auto o = Options(client_);
  o.audience = "https://other-tenant.example/api/v2/";
  const auto& e = Err(Make(o)->ReadKeys());
  EXPECT_EQ(e.kind, ErrorKind::kForbidden);
  EXPECT_NE(e.message.find("access_denied"), std::string::npos) << e.message;
  EXPECT_NE(e.message.find("audience"), std::string::npos) << e.message;
}

TEST_F(Auth0ClientTest, ATokenIsRefreshedShortlyBeforeItExpires) {
  auto client = Make();
  ASSERT_TRUE(client->ReadKeys().ok());
  AdvanceClock(86400s - 120s);  // still well inside the lifetime
  ASSERT_TRUE(client->ReadKeys().ok());
  EXPECT_EQ(fake_.State().tokens_issued, 1);
  AdvanceClock(90s);  // within the last minute: replaced before Auth0 would refuse it
  ASSERT_TRUE(client->ReadKeys().ok());
  EXPECT_EQ(fake_.State().tokens_issued, 2);
  EXPECT_EQ(fake_.State().unauthorized, 0);
}

TEST_F(Auth0ClientTest, ARefusedTokenIsReplacedAndTheCallSentOnceMore) {
  auto client = Make();
  ASSERT_TRUE(client->ReadKeys().ok());
  fake_.ExpireTokens();  // Auth0 no longer accepts it, though the client thinks it is fresh
  ASSERT_TRUE(client->ReadKeys().ok());
  EXPECT_EQ(fake_.State().unauthorized, 1);
  EXPECT_EQ(fake_.State().tokens_issued, 2);

  fake_.ExpireTokens();  // the same for a rotation: the 401 means it was not done
  ASSERT_TRUE(client->Rotate().ok());
  EXPECT_EQ(fake_.State().rotations, 1);
  EXPECT_EQ(Count("rotate"), 2);
  EXPECT_TRUE(sleeps_.empty());
}

TEST_F(Auth0ClientTest, ATokenThatReallyExpiresIsReplaced) {
  fake_.SetTokenLifetime(1);
  auto o = Options(client_);
  o.now = [] { return std::chrono::system_clock::time_point(std::chrono::hours(500000)); };  // frozen clock
  auto client = Make(o);
  ASSERT_TRUE(client->ReadKeys().ok());
  // The client keeps its token (its clock stands still) until the fake refuses it for real.
  ASSERT_TRUE(WaitUntil([&] {
    EXPECT_TRUE(client->ReadKeys().ok());
    return fake_.State().unauthorized > 0;
  }, 20s, 200ms));
  EXPECT_GE(fake_.State().tokens_issued, 2);
}

TEST_F(Auth0ClientTest, TheSixthRotationOfTheDayIsRefusedForRateAndNotRetried) {
  auto client = Make();
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(client->Rotate().ok()) << i;
  auto before = fake_.State();
  const auto& e = Err(client->Rotate());
  EXPECT_EQ(e.kind, ErrorKind::kRateLimited);
  EXPECT_EQ(e.http_status, 429);
  EXPECT_NE(e.message.find("refused the key rotation because of its rate limit"), std::string::npos) << e.message;
  EXPECT_NE(e.message.find("5 rotations a day"), std::string::npos) << e.message;
  EXPECT_NE(e.message.find("never retries"), std::string::npos) << e.message;
  ASSERT_TRUE(e.retry_after.has_value());  // from x-ratelimit-reset: the next UTC day
  EXPECT_GT(*e.retry_after, 0s);
  EXPECT_LE(*e.retry_after, 86400s);
  EXPECT_TRUE(sleeps_.empty());
  EXPECT_EQ(Count("rotate"), 6);
  EXPECT_EQ(fake_.State().rotations, 5);
  EXPECT_EQ(fake_.State().current_kid, before.current_kid);
  fake_.ResetRotationBudget();  // a new day
  EXPECT_TRUE(client->Rotate().ok());
}

TEST_F(Auth0ClientTest, ReadsAreRetriedOnServerErrorsAndRateLimits) {
  fake_.InjectFault(MakeFault(FaultKind::kStatus, FaultOp::kGetKeys, 2));
  auto client = Make();
  ASSERT_TRUE(client->ReadKeys().ok());
  EXPECT_EQ(Count("get_keys"), 3);
  EXPECT_EQ(sleeps_, (std::vector<std::chrono::milliseconds>{200ms, 400ms}));  // jitter fixed at 1.0
  sleeps_.clear();
  auto f = MakeFault(FaultKind::kRateLimit, FaultOp::kGetKeys);
  f.retry_after_seconds = 3;
  fake_.InjectFault(f);
  ASSERT_TRUE(client->ReadKeys().ok());
  EXPECT_EQ(sleeps_, (std::vector<std::chrono::milliseconds>{3000ms}));  // as Retry-After said
}

TEST_F(Auth0ClientTest, TheBurstLimitIsWaitedOut) {
  fake_.SetRequestsPerSecond(1);
  auto o = Options(client_);
  o.sleep = [this](std::chrono::milliseconds d) {
    {
      std::lock_guard lock(mu_);
      sleeps_.push_back(d);
    }
    std::this_thread::sleep_for(d);  // really wait: the fake's window is real time
  };
  auto client = Make(o);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(client->ReadKeys().ok()) << i;
  EXPECT_GE(Count("get_keys"), 3);
  for (auto d : sleeps_) EXPECT_LE(d, 1000ms);  // x-ratelimit-reset: the next second
}

TEST_F(Auth0ClientTest, PlainHttpWorksForTests) {
  fakes::FakeAuth0Options fo = TestFakeOptions();
  fo.plain_http = true;
  fakes::FakeAuth0 plain(fo);
  plain.Start();
  auto c = plain.AddClient();
  auto o = Options(c);
  o.domain = plain.base_url();
  auto client = Make(o);
  EXPECT_EQ(client->audience(), "https://" + plain.domain() + "/api/v2/");
  auto keys = client->ReadKeys();
  ASSERT_TRUE(keys.ok()) << keys.error().message;
  EXPECT_EQ(keys->metadata.at("currentKid"), plain.State().current_kid);
  for (const auto& s : plain.AllSecrets()) EXPECT_EQ(log_.str().find(s), std::string::npos);
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::testing
