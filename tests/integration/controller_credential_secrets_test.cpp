// CredentialSecrets (controller/credential_secrets.h): the provider credentials Secrets are
// read with one GET per Secret per minute however many connects ask (a requeue reads
// nothing again), concurrent reads share one GET, a Secret that is missing is asked for again
// at the next read, and a forgotten entry (the provider refused the credentials) is read
// afresh. Counts keyroll's own GETs (gets()), so it means the same against a real API server.
#include "operator/controller/credential_secrets.h"

#include <gtest/gtest.h>

#include <thread>

#include "tests/support/cluster.h"

namespace keyroll::controller {
namespace {
namespace KEYROLL_UNITY_ID {

using keyroll::testing::TestCluster;
using nlohmann::json;

void PutToken(kube::Client& c, const std::string& ns, const std::string& token, bool create) {
  json secret = {{"apiVersion", "v1"}, {"kind", "Secret"}, {"metadata", {{"name", "token"}}},
                 {"type", "Opaque"}, {"stringData", {{"QSTASH_TOKEN", token}}}};
  auto r = create ? c.Create(kube::resources::kSecrets, ns, secret) : c.Update(kube::resources::kSecrets, ns, secret);
  ASSERT_TRUE(r.ok()) << r.error().ToString();
}

std::string TokenOf(const providers::Result<providers::SecretData>& r) {
  if (!r) return "error: " + r.error().message;
  auto it = r->find("QSTASH_TOKEN");
  return it == r->end() ? "absent" : it->second.reveal();
}

TEST(CredentialSecrets, OneGetServesTheReadsOfAMinute) {
  TestCluster cluster;
  const std::string ns = cluster.namespace_name();
  PutToken(cluster.client(), ns, "tok-1", true);
  CredentialSecrets secrets(cluster.client());
  for (int i = 0; i < 5; ++i) EXPECT_EQ(TokenOf(secrets.Read(ns, "token", "token")), "tok-1");
  EXPECT_EQ(secrets.gets(), 1u);

  // Concurrent reads after the entry is gone: one GET, whichever thread makes it.
  secrets.Forget(ns + "/token");
  std::vector<std::thread> readers;
  std::vector<std::string> seen(8);
  for (int i = 0; i < 8; ++i)
    readers.emplace_back([&, i] { seen[i] = TokenOf(secrets.Read(ns, "token", "token")); });
  for (auto& t : readers) t.join();
  for (const auto& s : seen) EXPECT_EQ(s, "tok-1");
  EXPECT_EQ(secrets.gets(), 2u);
}

TEST(CredentialSecrets, AChangedSecretIsReadAfterItsEntryIsForgotten) {
  TestCluster cluster;
  const std::string ns = cluster.namespace_name();
  PutToken(cluster.client(), ns, "tok-1", true);
  CredentialSecrets secrets(cluster.client());
  EXPECT_EQ(TokenOf(secrets.Read(ns, "token", "token")), "tok-1");
  PutToken(cluster.client(), ns, "tok-2", false);
  EXPECT_EQ(TokenOf(secrets.Read(ns, "token", "token")), "tok-1");  // kept for a minute
  secrets.Forget(ns + "/token");  // what a refusal by the provider does
  EXPECT_EQ(TokenOf(secrets.Read(ns, "token", "token")), "tok-2");
}

TEST(CredentialSecrets, AMissingSecretIsAskedForAgainAndSaysWhere) {
  TestCluster cluster;
  const std::string ns = cluster.namespace_name();
  CredentialSecrets secrets(cluster.client());
  auto missing = secrets.Read(ns, "token", "token");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, providers::ErrorKind::kCredentials);
  EXPECT_EQ(missing.error().message, "token Secret \"token\" not found in namespace \"" + ns + "\"");
  PutToken(cluster.client(), ns, "tok-1", true);
  EXPECT_EQ(TokenOf(secrets.Read(ns, "token", "token")), "tok-1");
  EXPECT_EQ(secrets.gets(), 2u);
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::controller
