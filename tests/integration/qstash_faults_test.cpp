// The QStash client against a misbehaving fake: lost answers around a rotation, slow answers,
// truncated and malformed bodies, untrusted certificates, nothing listening; and a check that
// nothing the client logs at trace level contains a key or a token.
#include <httplib.h>

#include "operator/base/pem.h"
#include "tests/fakes/common/tls_cert.h"
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

TEST_F(QStashClientTest, RotateThenDropIsOutcomeUnknownAndRotatedExactlyOnce) {
  auto before = State();
  fake_.InjectFault(MakeFault(FaultKind::kDropAfter, FaultOp::kRotate));
  auto client = Make();
  const auto& e = Err(client->Rotate());
  EXPECT_EQ(e.kind, ErrorKind::kOutcomeUnknown) << e.message;
  EXPECT_EQ(e.http_status, 0);
  EXPECT_NE(e.message.find("read the keys"), std::string::npos) << e.message;
  EXPECT_EQ(State().rotations, 1);
  EXPECT_EQ(State().requests["rotate"], 1);  // never retried
  auto keys = client->ReadKeys();
  ASSERT_TRUE(keys.ok()) << keys.error().message;
  EXPECT_EQ(keys->current.reveal(), before.next);  // the rotation did happen
  EXPECT_EQ(State().rotations, 1);
}

TEST_F(QStashClientTest, DropBeforeRotatingIsAlsoOutcomeUnknownButNothingRotated) {
  auto before = State();
  fake_.InjectFault(MakeFault(FaultKind::kDropBefore, FaultOp::kRotate));
  auto client = Make();
  EXPECT_EQ(Err(client->Rotate()).kind, ErrorKind::kOutcomeUnknown);
  EXPECT_EQ(State().rotations, 0);
  auto keys = client->ReadKeys();
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ(keys->current.reveal(), before.current);
}

TEST_F(QStashClientTest, ADroppedReadIsRetried) {
  fake_.InjectFault(MakeFault(FaultKind::kDropAfter, FaultOp::kGetKeys));
  auto keys = Make()->ReadKeys();
  ASSERT_TRUE(keys.ok()) << keys.error().message;
  EXPECT_EQ(State().requests["get_keys"], 2);
  EXPECT_EQ(sleeps_.size(), 1u);
}

TEST_F(QStashClientTest, ASlowRotateAnswerIsOutcomeUnknown) {
  Fault f = MakeFault(FaultKind::kLatency, FaultOp::kRotate);
  f.latency = 2500ms;
  fake_.InjectFault(f);
  auto o = Options(token_);
  o.timeouts.read = 500ms;
  const auto& e = Err(Make(o)->Rotate());
  EXPECT_EQ(e.kind, ErrorKind::kOutcomeUnknown) << e.message;
  EXPECT_NE(e.message.find("timed out"), std::string::npos) << e.message;
  EXPECT_EQ(State().rotations, 1);  // the fake performs first, then delays the answer
}

TEST_F(QStashClientTest, ASlowReadTimesOutAndIsRetried) {
  Fault f = MakeFault(FaultKind::kLatency, FaultOp::kGetKeys);
  f.latency = 2500ms;
  fake_.InjectFault(f);
  auto o = Options(token_);
  o.timeouts.read = 500ms;
  auto keys = Make(o)->ReadKeys();
  ASSERT_TRUE(keys.ok()) << keys.error().message;
  EXPECT_EQ(observed_.front(), (std::pair<std::string, int>{"get_keys", 0}));
  EXPECT_EQ(sleeps_.size(), 1u);
}

TEST_F(QStashClientTest, ATruncatedBodyIsRetriedOnReadsAndUnknownOnRotate) {
  fake_.InjectFault(MakeFault(FaultKind::kTruncated, FaultOp::kGetKeys));
  auto client = Make();
  ASSERT_TRUE(client->ReadKeys().ok());
  EXPECT_EQ(State().requests["get_keys"], 2);
  fake_.InjectFault(MakeFault(FaultKind::kTruncated, FaultOp::kRotate));
  EXPECT_EQ(Err(client->Rotate()).kind, ErrorKind::kOutcomeUnknown);
  EXPECT_EQ(State().rotations, 1);
}

TEST_F(QStashClientTest, ANonJsonAnswerIsInvalidAndNotRetried) {
  fake_.InjectFault(MakeFault(FaultKind::kNonJson, FaultOp::kGetKeys));
  auto client = Make();
  const auto& e = Err(client->ReadKeys());
  EXPECT_EQ(e.kind, ErrorKind::kInvalidAnswer);
  EXPECT_NE(e.message.find("not JSON"), std::string::npos) << e.message;
  EXPECT_EQ(State().requests["get_keys"], 1);
  // The same after a rotation QStash says it did: the outcome must be checked by reading.
  fake_.InjectFault(MakeFault(FaultKind::kNonJson, FaultOp::kRotate));
  const auto& r = Err(client->Rotate());
  EXPECT_EQ(r.kind, ErrorKind::kOutcomeUnknown);
  EXPECT_EQ(r.http_status, 200);
  EXPECT_EQ(State().rotations, 1);
}

TEST_F(QStashClientTest, MalformedKeySetsAreInvalidAnswers) {
  auto client = Make();
  for (const char* variant : {"current-number", "missing-next", "missing-current", "equal", "empty-current",
                              "null-next", "array", "string"}) {
    Fault f = MakeFault(FaultKind::kWrongJson, FaultOp::kGetKeys);
    f.variant = variant;
    fake_.InjectFault(f);
    const auto& e = Err(client->ReadKeys());
    EXPECT_EQ(e.kind, ErrorKind::kInvalidAnswer) << variant;
    EXPECT_NE(e.message.find("invalid keys"), std::string::npos) << e.message;
  }
  EXPECT_TRUE(sleeps_.empty());
}

TEST_F(QStashClientTest, AnUntrustedCertificateFailsClearlyWithoutRetries) {
  auto o = Options(token_);
  o.tls.ca_pem = fakes::GenerateTlsMaterial("someone-else").ca_cert_pem;
  auto client = Make(o);
  const auto& read = Err(client->ReadKeys());
  EXPECT_EQ(read.kind, ErrorKind::kUnavailable);
  EXPECT_NE(read.message.find("certificate verification failed"), std::string::npos) << read.message;
  EXPECT_TRUE(sleeps_.empty());
  const auto& rotate = Err(client->Rotate());
  EXPECT_EQ(rotate.kind, ErrorKind::kUnavailable);
  EXPECT_NE(rotate.message.find("not sent"), std::string::npos) << rotate.message;
  o.tls.ca_pem.clear();  // the system trust store does not know the fake's CA either
  EXPECT_EQ(Err(Make(o)->ReadKeys()).kind, ErrorKind::kUnavailable);
  EXPECT_EQ(State().requests.size(), 0u);
  EXPECT_EQ(State().rotations, 0);
}

TEST_F(QStashClientTest, TheCaCanComeFromAFile) {
  auto dir = fakes::WriteTlsMaterial(fakes::TlsMaterial{fake_.ca_cert_pem(), "", ""},
                                     ::testing::TempDir() + "/qstash-ca-" + std::to_string(getpid()));
  auto o = Options(token_);
  o.tls.ca_pem.clear();
  o.tls.ca_file = dir + "/ca.crt";
  EXPECT_TRUE(Make(o)->ReadKeys().ok());
}

TEST_F(QStashClientTest, NothingListeningIsUnavailableAndARotateWasNotSent) {
  auto o = Options(token_);
  fake_.Stop();
  const auto& read = Err(Make(o)->ReadKeys());
  EXPECT_EQ(read.kind, ErrorKind::kUnavailable);
  EXPECT_NE(read.message.find("connection failed"), std::string::npos) << read.message;
  EXPECT_EQ(sleeps_.size(), 3u);  // 4 attempts
  EXPECT_EQ(Err(Make(o)->Rotate()).kind, ErrorKind::kUnavailable);
}

TEST_F(QStashClientTest, PlainHttpWorksForTests) {
  fakes::FakeQStashOptions fo;
  fo.plain_http = true;
  fakes::FakeQStash plain(fo);
  plain.Start();
  auto token = plain.CreateAccount();
  auto o = Options(token);
  o.url = plain.base_url();
  auto keys = Make(o)->ReadKeys();
  ASSERT_TRUE(keys.ok()) << keys.error().message;
  EXPECT_EQ(keys->current.reveal(), plain.Account(token)->current);
  for (const auto& s : plain.AllSecrets()) EXPECT_EQ(log_.str().find(s), std::string::npos);
}

TEST_F(QStashClientTest, TheFakeAlsoAcceptsTheTokenAsAQueryParameter) {
  httplib::SSLClient http("127.0.0.1", fake_.port());
  X509_STORE* store = X509_STORE_new();
  ASSERT_EQ(base::AddCertificatesFromPem(store, fake_.ca_cert_pem()), 1);
  http.set_ca_cert_store(store);
  std::string encoded;  // URL-encode the token's base64 padding
  for (char c : token_) encoded += c == '=' ? std::string("%3D") : std::string(1, c);
  auto res = http.Get("/v2/keys?qstash_token=" + encoded);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  auto bad = http.Get("/v2/keys");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 401);
  EXPECT_EQ(bad->body, R"({"error":"Unauthorized"})");
}

TEST_F(QStashClientTest, NothingLoggedAtTraceLevelContainsAKeyOrToken) {
  auto client = Make();
  ASSERT_TRUE(client->ReadKeys().ok());
  ASSERT_TRUE(client->Rotate().ok());
  fake_.InjectFault(MakeFault(FaultKind::kDropAfter, FaultOp::kRotate));
  Err(client->Rotate());
  fake_.InjectFault(MakeFault(FaultKind::kStatus, FaultOp::kGetKeys));
  ASSERT_TRUE(client->ReadKeys().ok());
  Err(Make(Options("wrong-token"))->ReadKeys());
  fake_.ConsoleRotate(token_);
  std::string logged = log_.str();
  EXPECT_NE(logged.find("/v2/keys/rotate -> 200"), std::string::npos) << logged;  // the log is real
  EXPECT_GE(fake_.AllSecrets().size(), 6u);
  for (const auto& secret : fake_.AllSecrets()) EXPECT_EQ(logged.find(secret), std::string::npos);
  EXPECT_EQ(logged.find("sig_"), std::string::npos);
  EXPECT_EQ(logged.find("wrong-token"), std::string::npos);
  // (TearDown checks the log and every error message again.)
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::testing
