// Credentials: token files that rotate, exec credential plugins (parse, cache until
// expiry, re-run after a 401).
#include "operator/kube/credentials.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/support/temp_dir.h"

namespace keyroll::kube {
namespace {
namespace KEYROLL_UNITY_ID {

using keyroll::testing::ReadFile;
using keyroll::testing::TempDir;

TEST(ExecCredentialParse, TokenWithExpiry) {
  auto c = ParseExecCredential(R"({"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential",
      "status":{"token":"tok-1","expirationTimestamp":"2030-01-02T03:04:05Z"}})",
                               "client.authentication.k8s.io/v1");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->token, "tok-1");
  ASSERT_TRUE(c->expiry.has_value());
  EXPECT_EQ(std::chrono::system_clock::to_time_t(*c->expiry), 1893553445);
}

TEST(ExecCredentialParse, ClientCertificate) {
  auto c = ParseExecCredential(R"({"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential",
      "status":{"clientCertificateData":"CERT","clientKeyData":"KEY"}})",
                               "client.authentication.k8s.io/v1beta1");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->client_cert_pem, "CERT");
  EXPECT_FALSE(c->expiry.has_value());
}

TEST(ExecCredentialParse, BadOutputNeverQuoted) {
  const std::string v1 = "client.authentication.k8s.io/v1";
  for (std::string bad :
       {std::string("SECRETSTUFF not json"),
        std::string(R"({"kind":"Other","apiVersion":"client.authentication.k8s.io/v1","status":{"token":"SECRETSTUFF"}})"),
        std::string(R"({"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1beta1","status":{"token":"SECRETSTUFF"}})"),
        std::string(R"({"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1"})"),
        std::string(R"({"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1","status":{}})"),
        std::string(R"({"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1","status":{"clientCertificateData":"SECRETSTUFF"}})"),
        std::string(R"({"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1","status":{"token":"SECRETSTUFF","expirationTimestamp":"tomorrow"}})")}) {
    auto c = ParseExecCredential(bad, v1);
    ASSERT_FALSE(c.ok()) << bad;
    EXPECT_EQ(c.error().message.find("SECRETSTUFF"), std::string::npos);
  }
}

TEST(ExecCredentialParse, Rfc3339Variants) {
  auto base = ParseRfc3339("2026-11-22T03:07:45Z");
  ASSERT_TRUE(base);
  EXPECT_EQ(ParseRfc3339("2026-11-22T03:07:45.123456Z"), base);
  EXPECT_EQ(ParseRfc3339("2026-11-22T04:07:45+01:00"), base);
  EXPECT_EQ(ParseRfc3339("2026-11-22T01:07:45-02:00"), base);
  EXPECT_FALSE(ParseRfc3339("2026-11-22"));
  EXPECT_FALSE(ParseRfc3339("2026-11-22T03:07:45"));
  EXPECT_EQ(ParseRfc3339("2999-01-01T00:00:00Z"), std::chrono::system_clock::time_point::max());
  // Found by fuzz_exec_credential: a year sscanf reads as negative overflowed the clock (UB).
  EXPECT_FALSE(ParseRfc3339("-999-01-01T00:00:00Z"));
  EXPECT_EQ(ParseRfc3339("0001-01-01T00:00:00Z"), std::chrono::system_clock::time_point::min());
}

// Found while writing fuzz_exec_credential: a kind or apiVersion that is not a string threw.
TEST(ExecCredentialParse, FieldsOfTheWrongTypeAreAnError) {
  const std::string v1 = "client.authentication.k8s.io/v1";
  for (std::string odd : {std::string(R"({"kind":5,"apiVersion":"client.authentication.k8s.io/v1"})"),
                          std::string(R"({"kind":"ExecCredential","apiVersion":["v1"]})")}) {
    auto c = ParseExecCredential(odd, v1);
    EXPECT_FALSE(c.ok()) << odd;
  }
}

TEST(Credentials, TokenFileIsReReadWhenItChanges) {
  TempDir dir;
  Config c;
  c.token = "static";
  c.token_file = dir.Write("token", "first\n");
  Credentials creds(c, std::chrono::milliseconds(0));
  EXPECT_EQ(*creds.Token(), "first");  // the file wins over the static token
  dir.Write("token", "second");
  // Make sure the mtime moves even on coarse-timestamp filesystems.
  struct timespec times[2] = {{0, UTIME_NOW}, {time(nullptr) + 5, 0}};
  utimensat(AT_FDCWD, c.token_file.c_str(), times, 0);
  EXPECT_EQ(*creds.Token(), "second");
  dir.Write("token", "");  // half-written rotation: keep the last good token
  EXPECT_EQ(*creds.Token(), "second");
}

TEST(Credentials, RefreshAfterUnauthorizedForcesTheRead) {
  TempDir dir;
  Config c;
  c.token_file = dir.Write("token", "old");
  Credentials creds(c, std::chrono::hours(1));  // no periodic check within this test
  EXPECT_EQ(*creds.Token(), "old");
  dir.Write("token", "new");
  EXPECT_EQ(*creds.Token(), "old");
  EXPECT_TRUE(creds.RefreshAfterUnauthorized());
  EXPECT_EQ(*creds.Token(), "new");
  EXPECT_FALSE(creds.RefreshAfterUnauthorized());  // nothing changed: a retry is pointless
}

std::string WritePlugin(TempDir& dir, const std::string& expiry) {
  std::string script = "#!/bin/sh\n"
                       "echo run >> " + dir.File("runs") + "\n"
                       "n=$(wc -l < " + dir.File("runs") + ")\n"
                       "echo \"$KUBERNETES_EXEC_INFO\" > " + dir.File("info") + "\n"
                       "printf '{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\","
                       "\"status\":{\"token\":\"exec-%s\"" + expiry + "}}' \"$n\"\n";
  std::string path = dir.Write("plugin.sh", script);
  chmod(path.c_str(), 0700);
  return path;
}

TEST(Credentials, ExecPluginCachedUntilExpiry) {
  TempDir dir;
  Config c;
  c.server = "https://127.0.0.1:1";
  c.exec = ExecConfig{"client.authentication.k8s.io/v1", WritePlugin(dir, ",\"expirationTimestamp\":\"2999-01-01T00:00:00Z\""),
                      {}, {{"EXTRA", "1"}}, true, "Never"};
  Credentials creds(c);
  EXPECT_EQ(*creds.Token(), "exec-1");
  EXPECT_EQ(*creds.Token(), "exec-1");
  EXPECT_EQ(creds.exec_runs(), 1);
  auto info = nlohmann::json::parse(ReadFile(dir.File("info")));
  EXPECT_EQ(info["kind"], "ExecCredential");
  EXPECT_EQ(info["spec"]["interactive"], false);
  EXPECT_EQ(info["spec"]["cluster"]["server"], "https://127.0.0.1:1");
  EXPECT_TRUE(creds.RefreshAfterUnauthorized());
  EXPECT_EQ(*creds.Token(), "exec-2");
  EXPECT_EQ(creds.exec_runs(), 2);
}

TEST(Credentials, ExpiredExecCredentialRunsAgain) {
  TempDir dir;
  Config c;
  c.exec = ExecConfig{"client.authentication.k8s.io/v1", WritePlugin(dir, ",\"expirationTimestamp\":\"2001-01-01T00:00:00Z\""),
                      {}, {}, false, ""};
  Credentials creds(c);
  EXPECT_EQ(*creds.Token(), "exec-1");
  EXPECT_EQ(*creds.Token(), "exec-2");
}

TEST(Credentials, FailingPluginIsAClearError) {
  TempDir dir;
  std::string path = dir.Write("fail.sh", "#!/bin/sh\necho SECRETOUT\nexit 3\n");
  chmod(path.c_str(), 0700);
  Config c;
  c.exec = ExecConfig{"client.authentication.k8s.io/v1", path, {}, {}, false, ""};
  Credentials creds(c);
  auto t = creds.Token();
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.error().message.find("exit status 3"), std::string::npos);
  EXPECT_EQ(t.error().message.find("SECRETOUT"), std::string::npos);
  c.exec->command = dir.File("missing-plugin");
  Credentials missing(c);
  auto m = missing.Token();
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.error().message.find("could not be run"), std::string::npos);
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::kube
