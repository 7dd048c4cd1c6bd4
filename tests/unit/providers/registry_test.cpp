// The provider registry: each provider reads its own credentials through the reader it is
// handed and builds its client; error kinds come back as the factory saw them.
#include <gtest/gtest.h>

#include "operator/providers/registry.h"

namespace keyroll::providers {
namespace {
namespace KEYROLL_UNITY_ID {

rotation::Provider QStashSpec() {
  return rotation::QStashProvider{{"token", "QSTASH_TOKEN"}, "https://qstash.example", ""};
}

rotation::Provider Auth0Spec() {
  return rotation::Auth0Provider{"tenant.example", {"client", "ID", "SECRET"}, "", ""};
}

// A reader over fixed Secrets that records what it was asked for.
struct FakeSecrets {
  std::map<std::string, SecretData> secrets;
  std::vector<std::string> asked;
  SecretReader Reader() {
    return [this](const std::string& what, const std::string& name) -> Result<SecretData> {
      asked.push_back(what + ":" + name);
      auto it = secrets.find(name);
      if (it == secrets.end())
        return ProviderError{ErrorKind::kCredentials, what + " Secret \"" + name + "\" not found", 0, std::nullopt};
      return it->second;
    };
  }
};

TEST(ProviderRegistry, BuiltinHoldsQStashAndAuth0) {
  EXPECT_EQ(BuiltinProviders().Names(), (std::vector<std::string>{"qstash", "auth0"}));
  EXPECT_EQ(BuiltinProviders().CredentialSecrets(QStashSpec()), std::vector<std::string>{"token"});
  EXPECT_EQ(BuiltinProviders().CredentialSecrets(Auth0Spec()), std::vector<std::string>{"client"});
}

TEST(ProviderRegistry, QStashReadsItsTokenThroughTheReaderAndBuildsItsClient) {
  FakeSecrets s;
  s.secrets["token"]["QSTASH_TOKEN"] = SecretValue("tok-123\n");
  auto p = BuiltinProviders().Connect(QStashSpec(), s.Reader(), {});
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ((*p)->Name(), "qstash");
  EXPECT_EQ(s.asked, std::vector<std::string>{"token:token"});
  // The trailing newline is trimmed: the same account as the token without it.
  FakeSecrets t;
  t.secrets["token"]["QSTASH_TOKEN"] = SecretValue("tok-123");
  EXPECT_EQ((*p)->AccountId(), (*BuiltinProviders().Connect(QStashSpec(), t.Reader(), {}))->AccountId());
}

TEST(ProviderRegistry, ErrorKindsComeBackAsTheFactorySawThem) {
  FakeSecrets none;
  auto missing = BuiltinProviders().Connect(QStashSpec(), none.Reader(), {});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, ErrorKind::kCredentials);

  FakeSecrets no_key;
  no_key.secrets["client"]["ID"] = SecretValue("id");
  auto lacking = BuiltinProviders().Connect(Auth0Spec(), no_key.Reader(), {});
  ASSERT_FALSE(lacking);
  EXPECT_EQ(lacking.error().kind, ErrorKind::kCredentials);
  EXPECT_EQ(lacking.error().message, "client Secret \"client\" has no (valid) key \"SECRET\"");

  FakeSecrets bad_url;
  bad_url.secrets["token"]["QSTASH_TOKEN"] = SecretValue("tok");
  rotation::Provider spec = QStashSpec();
  std::get<rotation::QStashProvider>(spec).url = "ftp://nowhere";
  auto bad = BuiltinProviders().Connect(spec, bad_url.Reader(), {});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().kind, ErrorKind::kBadConfig);

  FakeSecrets unreachable;
  SecretReader down = [](const std::string&, const std::string&) -> Result<SecretData> {
    return ProviderError{ErrorKind::kUnavailable, "cannot read token Secret", 0, std::nullopt};
  };
  auto api_down = BuiltinProviders().Connect(QStashSpec(), down, {});
  ASSERT_FALSE(api_down);
  EXPECT_EQ(api_down.error().kind, ErrorKind::kUnavailable);
}

TEST(ProviderRegistry, Auth0KeepsOneClientPerConfiguration) {
  // The client holds the management token: the same configuration gets the same client.
  Registry r = BuiltinProviders();
  FakeSecrets s;
  s.secrets["client"]["ID"] = SecretValue("id");
  s.secrets["client"]["SECRET"] = SecretValue("secret");
  auto a = r.Connect(Auth0Spec(), s.Reader(), {});
  auto b = r.Connect(Auth0Spec(), s.Reader(), {});
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->get(), b->get());
  s.secrets["client"]["SECRET"] = SecretValue("rotated");
  auto c = r.Connect(Auth0Spec(), s.Reader(), {});
  ASSERT_TRUE(c);
  EXPECT_NE(a->get(), c->get());
}

TEST(ProviderRegistry, ASpecNoFactoryHandlesIsBadConfig) {
  Registry empty;
  FakeSecrets s;
  auto p = empty.Connect(QStashSpec(), s.Reader(), {});
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().kind, ErrorKind::kBadConfig);
  EXPECT_TRUE(s.asked.empty());
}

TEST(ProviderRegistry, RequiredEntryTrimsAndNamesTheMissingKey) {
  SecretData d;
  d["A"] = SecretValue("v\r\n");
  d["B"] = SecretValue("\n");
  EXPECT_EQ(RequiredEntry(d, "token", "s", "A")->reveal(), "v");
  EXPECT_EQ(RequiredEntry(d, "token", "s", "B").error().kind, ErrorKind::kCredentials);
  EXPECT_EQ(RequiredEntry(d, "token", "s", "C").error().message, "token Secret \"s\" has no (valid) key \"C\"");
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::providers
