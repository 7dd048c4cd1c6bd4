// Secrecy: drive the Auth0 client through every path that logs or fails (reads, rotation,
// revocation, wrong secret, missing scope, refused tokens, lost answers, and error bodies that
// echo the credentials back) with everything logged at trace level, then search the log and
// every error message for the client secrets, every management token the fake issued and the
// private keys: zero hits. (The fixture's TearDown runs the same search.)
#include "tests/integration/auth0_client_fixture.h"

namespace keyroll::testing {
namespace {
namespace KEYROLL_UNITY_ID {

using fakes::Fault;
using fakes::FaultKind;
using fakes::FaultOp;

TEST_F(Auth0ClientTest, NoSecretOrTokenAppearsInLogsOrErrors) {
  auto client = Make();
  ASSERT_TRUE(client->ReadKeys().ok());
  ASSERT_TRUE(client->Rotate().ok());
  ASSERT_TRUE(client->RevokePrevious().ok());
  Err(client->Revoke(fake_.State().current_kid));

  // Error bodies that carry the credentials, as a careless proxy would send them.
  Fault echo = MakeFault(FaultKind::kStatus, FaultOp::kGetKeys, 10);
  echo.status = 400;
  echo.variant = "echo-credentials";
  fake_.InjectFault(echo);
  const auto& api = Err(client->ReadKeys());
  EXPECT_NE(api.message.find("fault injected"), std::string::npos) << api.message;  // the body did get through
  EXPECT_NE(api.message.find("[REDACTED]"), std::string::npos) << api.message;       // and was scrubbed
  fake_.ResetFaults();
  fake_.ExpireTokens();
  Fault token_echo = MakeFault(FaultKind::kStatus, FaultOp::kToken);
  token_echo.status = 400;
  token_echo.variant = "echo-credentials";
  fake_.InjectFault(token_echo);
  const auto& token = Err(client->ReadKeys());
  EXPECT_NE(token.message.find("fault injected"), std::string::npos) << token.message;
  EXPECT_NE(token.message.find("[REDACTED]"), std::string::npos) << token.message;

  fake_.InjectFault(MakeFault(FaultKind::kDropAfter, FaultOp::kRotate));
  Err(client->Rotate());
  fake_.ExpireTokens();
  ASSERT_TRUE(client->ReadKeys().ok());  // 401, fresh token, resend

  auto wrong = Options(client_);
  wrong.client_secret = providers::SecretValue(client_.client_secret + "x");
  Err(Make(wrong)->ReadKeys());
  auto reader = fake_.AddClient("", "", {"read:signing_keys"});
  Err(Make(Options(reader))->Rotate());

  auto secrets = fake_.AllSecrets();
  EXPECT_GE(fake_.State().tokens_issued, 4);
  std::string logged = log_.str();
  ASSERT_FALSE(logged.empty());
  int hits = 0;
  for (const auto& s : secrets) {
    if (logged.find(s) != std::string::npos) ++hits;
    for (const auto& m : messages_) hits += m.find(s) != std::string::npos;
  }
  EXPECT_EQ(hits, 0);
  EXPECT_EQ(logged.find("PRIVATE KEY"), std::string::npos);
  EXPECT_EQ(logged.find("eyJ"), std::string::npos);  // no JWT, management token or other
  for (const auto& m : messages_) EXPECT_EQ(m.find("eyJ"), std::string::npos) << m;
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::testing
