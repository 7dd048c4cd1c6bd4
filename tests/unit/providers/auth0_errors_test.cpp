// Auth0 error answers and client configuration: what an error body becomes in a message
// (scrubbed), when a 429 says to come back, the checks Client::Create makes, the account id,
// and the revoke capability's default for providers without it (QStash).
#include <gtest/gtest.h>

#include "operator/providers/auth0/client.h"
#include "operator/providers/auth0/errors.h"
#include "operator/providers/qstash/client.h"

namespace keyroll::testing {
namespace {
namespace KEYROLL_UNITY_ID {

using namespace providers::auth0;
using namespace std::chrono_literals;
using providers::ErrorKind;
using providers::SecretValue;
using providers::SystemTime;

TEST(Auth0ErrorDetail, ManagementApiAndTokenErrorShapes) {
  EXPECT_EQ(ErrorDetail(R"({"statusCode":403,"error":"Forbidden","message":"Insufficient scope, expected any of: read:signing_keys","errorCode":"insufficient_scope"})"),
            "Forbidden: Insufficient scope, expected any of: read:signing_keys (insufficient_scope)");
  EXPECT_EQ(ErrorDetail(R"({"statusCode":404,"error":"Not Found","message":"Signing key not found"})"),
            "Not Found: Signing key not found");
  EXPECT_EQ(ErrorDetail(R"({"error":"invalid_client","error_description":"Client authentication failed"})"),
            "invalid_client: Client authentication failed");
  EXPECT_EQ(ErrorDetail(R"({"error":"access_denied"})"), "access_denied");
  EXPECT_EQ(ErrorDetail("<html>Bad Gateway</html>"), "<html>Bad Gateway</html>");
  EXPECT_EQ(ErrorDetail(""), "");
  EXPECT_EQ(ErrorCode(R"({"error":"Forbidden","errorCode":"insufficient_scope"})"), "insufficient_scope");
  EXPECT_EQ(ErrorCode(R"({"error":"invalid_client"})"), "invalid_client");
  EXPECT_EQ(ErrorCode("nope"), "");
}

TEST(Auth0ErrorDetail, SecretsInErrorBodiesAreScrubbed) {
  SecretValue secret("client-secret-value");
  std::string detail = ErrorDetail(
      R"({"error":"server_error","error_description":"bad request client_secret=client-secret-value for Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln"})",
      {&secret});
  EXPECT_EQ(detail.find("client-secret-value"), std::string::npos) << detail;
  EXPECT_EQ(detail.find("eyJ"), std::string::npos) << detail;
  EXPECT_NE(detail.find("[REDACTED]"), std::string::npos) << detail;
  EXPECT_LE(ErrorDetail(std::string(5000, 'x') + " " + std::string(5000, 'y')).size(), 303u);
}

TEST(Auth0RateLimitWait, RetryAfterFirstThenTheResetOfAnExhaustedWindow) {
  SystemTime now = SystemTime(1'800'000'000s);
  EXPECT_EQ(RateLimitWait({{"Retry-After", "7"}, {"x-ratelimit-reset", "1800000100"}}, now), 7s);
  EXPECT_EQ(RateLimitWait({{"x-ratelimit-remaining", "0"}, {"x-ratelimit-reset", "1800000030"}}, now), 30s);
  EXPECT_EQ(RateLimitWait({{"X-RateLimit-Reset", "1800000030"}}, now), 30s);  // header names ignore case
  EXPECT_EQ(RateLimitWait({{"x-ratelimit-remaining", "3"}, {"x-ratelimit-reset", "1800000030"}}, now), std::nullopt);
  EXPECT_EQ(RateLimitWait({{"x-ratelimit-reset", "1799999990"}}, now), 0s);
  EXPECT_EQ(RateLimitWait({{"x-ratelimit-reset", "soon"}}, now), std::nullopt);
  EXPECT_EQ(RateLimitWait({}, now), std::nullopt);
}

ClientOptions Options(std::string domain, std::string id = "client-id", std::string secret = "s3cret") {
  ClientOptions o;
  o.domain = std::move(domain);
  o.client_id = std::move(id);
  o.client_secret = SecretValue(std::move(secret));
  return o;
}

std::unique_ptr<Client> Make(ClientOptions o) {
  auto r = Client::Create(std::move(o));
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? std::move(r.value()) : nullptr;
}

TEST(Auth0ClientConfig, BadConfigurationIsRefusedClearly) {
  struct Case {
    ClientOptions options;
    const char* expected;
  };
  std::vector<Case> cases;
  cases.push_back({Options(""), "domain is empty"});
  cases.push_back({Options("tenant.auth0.com/x?y=1"), "domain"});
  cases.push_back({Options("tenant.auth0.com:99999"), "invalid port"});
  cases.push_back({Options("ftp://tenant.auth0.com"), "scheme"});
  cases.push_back({Options("tenant.auth0.com", ""), "client id is empty"});
  cases.push_back({Options("tenant.auth0.com", "a b"), "client id contains"});
  cases.push_back({Options("tenant.auth0.com", "id", ""), "client secret is empty"});
  auto audience = Options("tenant.auth0.com");
  audience.audience = "not a url";
  cases.push_back({audience, "audience"});
  for (auto& c : cases) {
    auto r = Client::Create(std::move(c.options));
    ASSERT_FALSE(r.ok()) << c.expected;
    EXPECT_EQ(r.error().kind, ErrorKind::kBadConfig);
    EXPECT_NE(r.error().message.find(c.expected), std::string::npos) << r.error().message;
    EXPECT_EQ(r.error().message.find("s3cret"), std::string::npos);
  }
}

TEST(Auth0ClientConfig, TheAudienceDefaultsToTheDomainsManagementApi) {
  EXPECT_EQ(Make(Options("Tenant.EU.auth0.com"))->audience(), "https://tenant.eu.auth0.com/api/v2/");
  EXPECT_EQ(Make(Options("127.0.0.1:8443"))->audience(), "https://127.0.0.1:8443/api/v2/");
  EXPECT_EQ(Make(Options("http://127.0.0.1:8080"))->audience(), "https://127.0.0.1:8080/api/v2/");
  auto custom = Options("login.example.com");
  custom.audience = "https://tenant.eu.auth0.com/api/v2/";
  EXPECT_EQ(Make(std::move(custom))->audience(), "https://tenant.eu.auth0.com/api/v2/");
}

// The signing keys belong to the tenant: two applications of one tenant manage one key set
// (two resources with different clients must not both rotate it).
TEST(Auth0ClientConfig, TheAccountIdIsTheTenantNeverTheClientOrSecret) {
  auto a = Make(Options("tenant.eu.auth0.com", "id1", "secret-a"));
  auto same = Make(Options("https://TENANT.eu.auth0.com/", "id1", "secret-b"));
  auto other_client = Make(Options("tenant.eu.auth0.com", "id2"));
  auto other_tenant = Make(Options("other.eu.auth0.com", "id1"));
  EXPECT_EQ(a->AccountId(), same->AccountId());  // a new secret is the same account
  EXPECT_EQ(a->AccountId(), other_client->AccountId());
  EXPECT_NE(a->AccountId(), other_tenant->AccountId());
  EXPECT_EQ(a->AccountId().size(), 64u);
  // printf 'https://tenant.eu.auth0.com' | sha256sum
  EXPECT_EQ(a->AccountId(), "f6473ddf00dabe8cfd5663f266d621af6a9a0d04e60ae220b67d6be495b41444");
  EXPECT_EQ(a->Name(), "auth0");
  EXPECT_TRUE(a->SupportsRevokePrevious());
}

TEST(ProviderRevokeCapability, QStashDoesNotHaveIt) {
  providers::qstash::ClientOptions o;
  o.token = SecretValue("token");
  auto q = std::move(providers::qstash::Client::Create(std::move(o)).value());
  providers::Provider& p = *q;
  EXPECT_FALSE(p.SupportsRevokePrevious());
  auto r = p.RevokePrevious();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kBadConfig);
  EXPECT_EQ(r.error().message, "the qstash provider cannot revoke signing keys");
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::testing
