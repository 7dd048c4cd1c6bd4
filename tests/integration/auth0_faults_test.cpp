// The Auth0 client against a misbehaving fake: lost answers around a rotation, slow, truncated
// and malformed answers (every ambiguous key list), token endpoint failures, untrusted
// certificates, nothing listening.
#include "tests/fakes/common/tls_cert.h"
#include "tests/integration/auth0_client_fixture.h"

namespace keyroll::testing {
namespace {
namespace KEYROLL_UNITY_ID {

using fakes::Fault;
using fakes::FaultKind;
using fakes::FaultOp;
using providers::ErrorKind;
using namespace std::chrono_literals;

TEST_F(Auth0ClientTest, RotateThenDropIsOutcomeUnknownAndRotatedExactlyOnce) {
  auto before = fake_.State();
  fake_.InjectFault(MakeFault(FaultKind::kDropAfter, FaultOp::kRotate));
  auto client = Make();
  const auto& e = Err(client->Rotate());
  EXPECT_EQ(e.kind, ErrorKind::kOutcomeUnknown) << e.message;
  EXPECT_EQ(e.http_status, 0);
  EXPECT_NE(e.message.find("read the keys"), std::string::npos) << e.message;
  EXPECT_EQ(fake_.State().rotations, 1);
  EXPECT_EQ(Count("rotate"), 1);  // never retried
  auto keys = client->ReadKeys();
  ASSERT_TRUE(keys.ok()) << keys.error().message;
  EXPECT_EQ(keys->metadata.at("currentKid"), before.next_kid);  // the rotation did happen
  EXPECT_EQ(fake_.State().rotations, 1);
}

TEST_F(Auth0ClientTest, DropBeforeRotatingIsOutcomeUnknownButNothingRotated) {
  auto before = fake_.State();
  fake_.InjectFault(MakeFault(FaultKind::kDropBefore, FaultOp::kRotate));
  auto client = Make();
  EXPECT_EQ(Err(client->Rotate()).kind, ErrorKind::kOutcomeUnknown);
  EXPECT_EQ(fake_.State().rotations, 0);
  EXPECT_EQ(Count("rotate"), 1);
  EXPECT_EQ(client->ReadKeys()->metadata.at("currentKid"), before.current_kid);
}

TEST_F(Auth0ClientTest, AServerErrorOnRotateIsOutcomeUnknownAndNotRetried) {
  fake_.InjectFault(MakeFault(FaultKind::kStatus, FaultOp::kRotate));
  const auto& e = Err(Make()->Rotate());
  EXPECT_EQ(e.kind, ErrorKind::kOutcomeUnknown) << e.message;
  EXPECT_EQ(e.http_status, 503);
  EXPECT_EQ(Count("rotate"), 1);
  EXPECT_TRUE(sleeps_.empty());
}

TEST_F(Auth0ClientTest, ASlowRotateAnswerIsOutcomeUnknown) {
  Fault f = MakeFault(FaultKind::kLatency, FaultOp::kRotate);
  f.latency = 1500ms;
  fake_.InjectFault(f);
  auto o = Options(client_);
  o.timeouts.read = 300ms;
  const auto& e = Err(Make(o)->Rotate());
  EXPECT_EQ(e.kind, ErrorKind::kOutcomeUnknown) << e.message;
  EXPECT_NE(e.message.find("timed out"), std::string::npos) << e.message;
  EXPECT_EQ(fake_.State().rotations, 1);  // the fake performs first, then delays the answer
  EXPECT_EQ(Count("rotate"), 1);
}

TEST_F(Auth0ClientTest, AMalformedRotateAnswerStillReadsTheKeysBack) {
  fake_.InjectFault(MakeFault(FaultKind::kNonJson, FaultOp::kRotate));
  auto before = fake_.State();
  auto keys = Make()->Rotate();
  ASSERT_TRUE(keys.ok()) << keys.error().message;
  EXPECT_EQ(keys->metadata.at("currentKid"), before.next_kid);
  EXPECT_EQ(fake_.State().rotations, 1);
}

TEST_F(Auth0ClientTest, AFailedReadAfterARotationIsOutcomeUnknown) {
  fake_.InjectFault(MakeFault(FaultKind::kWrongJson, FaultOp::kGetKeys));
  const auto& e = Err(Make()->Rotate());
  EXPECT_EQ(e.kind, ErrorKind::kOutcomeUnknown) << e.message;
  EXPECT_NE(e.message.find("Auth0 rotated the keys (201)"), std::string::npos) << e.message;
  EXPECT_EQ(fake_.State().rotations, 1);
}

TEST_F(Auth0ClientTest, DroppedSlowAndTruncatedReadsAreRetried) {
  fake_.InjectFault(MakeFault(FaultKind::kDropAfter, FaultOp::kGetKeys));
  fake_.InjectFault(MakeFault(FaultKind::kTruncated, FaultOp::kGetKeys));
  Fault slow = MakeFault(FaultKind::kLatency, FaultOp::kGetKeys);
  slow.latency = 1500ms;
  fake_.InjectFault(slow);
  auto o = Options(client_);
  o.timeouts.read = 300ms;
  auto keys = Make(o)->ReadKeys();
  ASSERT_TRUE(keys.ok()) << keys.error().message;
  EXPECT_EQ(Count("get_keys"), 4);
  EXPECT_EQ(sleeps_.size(), 3u);
}

TEST_F(Auth0ClientTest, ANonJsonListIsInvalidAndNotRetried) {
  fake_.InjectFault(MakeFault(FaultKind::kNonJson, FaultOp::kGetKeys));
  const auto& e = Err(Make()->ReadKeys());
  EXPECT_EQ(e.kind, ErrorKind::kInvalidAnswer);
  EXPECT_NE(e.message.find("not JSON"), std::string::npos) << e.message;
  EXPECT_EQ(Count("get_keys"), 1);
}

TEST_F(Auth0ClientTest, EveryAmbiguousKeyListIsAnInvalidAnswerNamingTheProblem) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"not-array", "not an array"},
      {"no-current", "no key is flagged current"},
      {"two-current", "are both flagged current"},
      {"no-next", "no key is flagged next"},
      {"two-next", "are both flagged next"},
      {"current-and-next", "flagged both current and next"},
      {"revoked-current", "is revoked but flagged current"},
      {"revoked-next", "is revoked but flagged next"},
      {"two-previous", "are both flagged previous"},
      {"missing-kid", "has no kid"},
      {"missing-cert", "has no cert"},
      {"bad-cert", "does not parse as X.509"},
      {"ec-cert", "not an RSA key"},
      {"flag-string", "not a boolean"},
      {"duplicate-kid", "is listed twice"},
  };
  auto client = Make();
  for (const auto& [variant, expected] : cases) {
    Fault f = MakeFault(FaultKind::kWrongJson, FaultOp::kGetKeys);
    f.variant = variant;
    fake_.InjectFault(f);
    const auto& e = Err(client->ReadKeys());
    EXPECT_EQ(e.kind, ErrorKind::kInvalidAnswer) << variant;
    EXPECT_NE(e.message.find(expected), std::string::npos) << variant << ": " << e.message;
    EXPECT_EQ(e.message.find("BEGIN CERTIFICATE"), std::string::npos) << variant;
  }
  EXPECT_TRUE(sleeps_.empty());
  // RevokePrevious refuses to act on an ambiguous list.
  fake_.InjectFault(MakeFault(FaultKind::kWrongJson, FaultOp::kGetKeys));
  EXPECT_EQ(Err(client->RevokePrevious()).kind, ErrorKind::kInvalidAnswer);
  EXPECT_EQ(Count("revoke"), 0);
}

TEST_F(Auth0ClientTest, TokenEndpointFailuresAreRetriedOrReported) {
  fake_.InjectFault(MakeFault(FaultKind::kStatus, FaultOp::kToken));
  fake_.InjectFault(MakeFault(FaultKind::kDropBefore, FaultOp::kToken));
  auto client = Make();
  ASSERT_TRUE(client->ReadKeys().ok());
  EXPECT_EQ(Count("token"), 3);
  EXPECT_EQ(sleeps_.size(), 2u);

  fake_.ExpireTokens();
  fake_.InjectFault(MakeFault(FaultKind::kWrongJson, FaultOp::kToken));
  const auto& e = Err(client->ReadKeys());
  EXPECT_EQ(e.kind, ErrorKind::kInvalidAnswer);
  EXPECT_NE(e.message.find("access_token"), std::string::npos) << e.message;

  fake_.InjectFault(MakeFault(FaultKind::kStatus, FaultOp::kToken, 10));
  const auto& rotate = Err(client->Rotate());  // no token: the rotation was never asked for
  EXPECT_EQ(rotate.kind, ErrorKind::kUnavailable) << rotate.message;
  EXPECT_EQ(Count("rotate"), 0);
}

TEST_F(Auth0ClientTest, AnUntrustedCertificateFailsClearlyWithoutRetries) {
  auto o = Options(client_);
  o.tls.ca_pem = fakes::GenerateTlsMaterial("someone-else").ca_cert_pem;
  auto client = Make(o);
  const auto& read = Err(client->ReadKeys());
  EXPECT_EQ(read.kind, ErrorKind::kUnavailable);
  EXPECT_NE(read.message.find("certificate verification failed"), std::string::npos) << read.message;
  EXPECT_TRUE(sleeps_.empty());
  EXPECT_EQ(Err(client->Rotate()).kind, ErrorKind::kUnavailable);
  o.tls.ca_pem.clear();  // the system trust store does not know the fake's CA either
  EXPECT_EQ(Err(Make(o)->ReadKeys()).kind, ErrorKind::kUnavailable);
  EXPECT_EQ(fake_.State().tokens_issued, 0);  // the secret never went to an unverified server
  EXPECT_EQ(fake_.State().requests.size(), 0u);
}

TEST_F(Auth0ClientTest, NothingListeningIsUnavailable) {
  auto o = Options(client_);
  fake_.Stop();
  const auto& read = Err(Make(o)->ReadKeys());
  EXPECT_EQ(read.kind, ErrorKind::kUnavailable);
  EXPECT_NE(read.message.find("connection failed"), std::string::npos) << read.message;
  EXPECT_EQ(sleeps_.size(), 3u);  // 4 attempts
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::testing
