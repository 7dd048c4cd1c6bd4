// Provider connections (http_exchange.h): reads of every account on one endpoint share
// keep-alive connections; a rotate always goes on a fresh one; a connection verified
// against one CA bundle is never lent to a client that trusts another; a connection the
// server closed is replaced without the caller seeing an error; a fresh connection resumes
// the endpoint's TLS session, never one verified against other CAs.
#include "operator/providers/http_exchange.h"
#include "operator/providers/tls_sessions.h"
#include "tests/integration/qstash_client_fixture.h"

namespace keyroll::testing {
namespace {
namespace KEYROLL_UNITY_ID {

TEST_F(QStashClientTest, ReadsOfManyAccountsShareKeepAliveConnections) {
  std::vector<std::string> tokens{token_};
  for (int i = 0; i < 4; ++i) tokens.push_back(fake_.CreateAccount());
  const int opened_before = providers::ProviderConnectionsOpened();
  for (int round = 0; round < 4; ++round) {
    for (const auto& token : tokens) {
      auto keys = Make(Options(token))->ReadKeys();  // a new client each time, as the operator does
      ASSERT_TRUE(keys.ok()) << keys.error().message;
      // The connection is shared, the account is not: each answer is the caller's own.
      EXPECT_EQ(keys->current.reveal(), fake_.Account(token)->current);
    }
  }
  EXPECT_EQ(fake_.Connections("get_keys"), 1) << "20 sequential reads should ride one keep-alive connection";
  EXPECT_EQ(providers::ProviderConnectionsOpened() - opened_before, 1);
  for (const auto& token : tokens) EXPECT_EQ(fake_.Account(token)->requests["get_keys"], 4);
}

TEST_F(QStashClientTest, EveryRotateGoesOnAFreshConnection) {
  auto client = Make();
  ASSERT_TRUE(client->ReadKeys().ok());  // leaves a pooled connection the rotate must not take
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(client->Rotate().ok());
  EXPECT_EQ(fake_.Connections("rotate"), 3);
  EXPECT_EQ(State().rotations, 3);
}

TEST_F(QStashClientTest, EveryRotateResumesTheEndpointsTlsSession) {
  auto client = Make();
  ASSERT_TRUE(client->ReadKeys().ok());  // a full handshake; the server's tickets are kept
  const int resumed = providers::TlsSessionsResumed();
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(client->Rotate().ok());
  EXPECT_EQ(fake_.Connections("rotate"), 3) << "fresh connections";
  EXPECT_EQ(providers::TlsSessionsResumed() - resumed, 3) << "each without a full handshake";
  EXPECT_EQ(State().rotations, 3);
}

TEST_F(QStashClientTest, APooledConnectionIsNeverLentToAClientTrustingOtherCAs) {
  ASSERT_TRUE(Make()->ReadKeys().ok());  // pools a connection verified with the fake's CA
  ASSERT_TRUE(Make()->Rotate().ok());    // and keeps a TLS session the other client must not resume
  fakes::FakeQStash other;
  other.Start();
  auto o = Options(token_);
  o.tls.ca_pem = other.ca_cert_pem();  // a CA that did not sign the fake's certificate
  const int resumed = providers::TlsSessionsResumed();
  auto r = Make(std::move(o))->ReadKeys();
  auto e = Err(r);
  EXPECT_EQ(e.kind, providers::ErrorKind::kUnavailable);
  EXPECT_NE(e.message.find("certificate verification failed"), std::string::npos) << e.message;
  EXPECT_EQ(providers::TlsSessionsResumed(), resumed);
  other.Stop();
}

TEST_F(QStashClientTest, AConnectionClosedByTheServerIsReplacedUnseen) {
  ASSERT_TRUE(Make()->ReadKeys().ok());  // one pooled connection
  fakes::Fault drop;
  drop.kind = fakes::FaultKind::kDropBefore;
  drop.op = fakes::FaultOp::kGetKeys;
  fake_.InjectFault(drop);  // the next read's connection is closed without an answer
  auto keys = Make()->ReadKeys();
  ASSERT_TRUE(keys.ok()) << keys.error().message;
  EXPECT_TRUE(sleeps_.empty()) << "replacing a closed connection is not a retry with backoff";
  EXPECT_EQ(fake_.Connections("get_keys"), 2);
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::testing
