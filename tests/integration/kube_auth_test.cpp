// Authentication and transport security against an API server: token files that rotate
// under a running client, exec credential plugins, 403, TLS verification failures,
// insecure-skip-tls-verify, connection errors, and client certificates (mutual TLS).
#include <sys/stat.h>

#include <atomic>

#include <gtest/gtest.h>
#include <httplib.h>

#include "operator/kube/client.h"
#include "operator/kube/kubeconfig.h"
#include "tests/fakes/common/tls_cert.h"
#include "tests/support/cluster.h"
#include "tests/support/process.h"
#include "tests/support/wait.h"

namespace keyroll::kube {
namespace {
namespace KEYROLL_UNITY_ID {

using keyroll::testing::ReadFile;
using keyroll::testing::TempDir;
using keyroll::testing::TestCluster;
using keyroll::testing::TestClusterOptions;

std::unique_ptr<Client> ClientFor(const std::string& kubeconfig, TransportOptions options = {}) {
  auto cfg = LoadKubeconfig(kubeconfig);
  EXPECT_TRUE(cfg.ok()) << cfg.error().ToString();
  auto c = Client::Create(*cfg, options);
  EXPECT_TRUE(c.ok()) << c.error().ToString();
  return std::move(*c);
}

// The token a test may hand out: on the fake, one it was started with; on a real cluster,
// the kubeconfig's own token (if it has one).
TestClusterOptions WithTokens(const std::string& token_user = "rotated-token:admin") {
  TestClusterOptions o;
  o.fake_args = {"--token", token_user};
  return o;
}

TransportOptions TokenFileCheck(std::chrono::milliseconds every) {
  TransportOptions o;
  o.token_file_check = every;
  return o;
}

TEST(KubeAuth, TokenFileRotatedUnderARunningClient) {
  TestCluster cluster(WithTokens());
  const std::string good = cluster.is_fake() ? "rotated-token" : cluster.config().token;
  if (good.empty()) GTEST_SKIP() << "the real cluster's kubeconfig has no static token to rotate";
  std::string token_file = cluster.temp_dir().Write("token", "not-a-valid-token\n");
  std::string kubeconfig = cluster.WriteKubeconfig("token-kubeconfig", "    tokenFile: " + token_file + "\n");
  // Periodic re-reads are slow here, so the 401 path is what picks the new token up.
  auto c = ClientFor(kubeconfig, TokenFileCheck(std::chrono::hours(1)));

  auto rejected = c->Get(resources::kNamespaces, "", cluster.namespace_name());
  ASSERT_FALSE(rejected.ok());
  EXPECT_TRUE(IsUnauthorized(rejected.error())) << rejected.error().ToString();
  EXPECT_EQ(rejected.error().ToString().find("not-a-valid-token"), std::string::npos);

  cluster.temp_dir().Write("token", good + "\n");  // the kubelet rotates the projected token
  auto accepted = c->Get(resources::kNamespaces, "", cluster.namespace_name());
  ASSERT_TRUE(accepted.ok()) << accepted.error().ToString();

  // And with periodic checks, a rotation is picked up without any 401.
  auto polling = ClientFor(kubeconfig, TokenFileCheck(std::chrono::milliseconds(0)));
  ASSERT_TRUE(polling->Get(resources::kNamespaces, "", cluster.namespace_name()).ok());
  cluster.temp_dir().Write("token", "revoked-token\n");
  struct timespec times[2] = {{0, UTIME_NOW}, {time(nullptr) + 5, 0}};
  utimensat(AT_FDCWD, token_file.c_str(), times, 0);
  auto after = polling->Get(resources::kNamespaces, "", cluster.namespace_name());
  ASSERT_FALSE(after.ok());
  EXPECT_TRUE(IsUnauthorized(after.error()));
}

std::string WritePlugin(const TestCluster& cluster, const std::string& tokens_file, const std::string& expiry) {
  // Prints the token on line N of tokens_file for its Nth run (the last line after that).
  const TempDir& dir = cluster.temp_dir();
  std::string runs = dir.File("runs");
  std::string script = "#!/bin/sh\n"
                       "echo run >> " + runs + "\n"
                       "n=$(wc -l < " + runs + ")\n"
                       "t=$(sed -n \"${n}p\" " + tokens_file + ")\n"
                       "[ -n \"$t\" ] || t=$(tail -n 1 " + tokens_file + ")\n"
                       "printf '{\"apiVersion\":\"client.authentication.k8s.io/v1beta1\",\"kind\":\"ExecCredential\","
                       "\"status\":{\"token\":\"%s\",\"expirationTimestamp\":\"" + expiry + "\"}}' \"$t\"\n";
  std::string path = dir.Write("plugin.sh", script);
  chmod(path.c_str(), 0700);
  return path;
}

int Runs(const TestCluster& cluster) {
  std::string r = ReadFile(cluster.temp_dir().File("runs"));
  return static_cast<int>(std::count(r.begin(), r.end(), '\n'));
}

TEST(KubeAuth, ExecPluginCachedUntilExpiryAndRerunAfter401) {
  TestCluster cluster(WithTokens());
  const std::string good = cluster.is_fake() ? "rotated-token" : cluster.config().token;
  if (good.empty()) GTEST_SKIP() << "the real cluster's kubeconfig has no static token for the plugin to print";
  // First run prints a token the server rejects; the 401 makes the client run it again.
  std::string tokens = cluster.temp_dir().Write("tokens", "stale-token\n" + good + "\n");
  std::string plugin = WritePlugin(cluster, tokens, "2200-01-01T00:00:00Z");
  std::string kubeconfig = cluster.WriteKubeconfig(
      "exec-kubeconfig", "    exec:\n      apiVersion: client.authentication.k8s.io/v1beta1\n      command: " + plugin +
                             "\n      provideClusterInfo: true\n");
  auto c = ClientFor(kubeconfig);
  for (int i = 0; i < 5; ++i) {
    auto r = c->Get(resources::kNamespaces, "", cluster.namespace_name());
    ASSERT_TRUE(r.ok()) << i << ": " << r.error().ToString();
  }
  EXPECT_EQ(Runs(cluster), 2);  // one 401 re-run, then cached until 2200
}

TEST(KubeAuth, ExpiredExecCredentialIsRenewed) {
  TestCluster cluster(WithTokens());
  const std::string good = cluster.is_fake() ? "rotated-token" : cluster.config().token;
  if (good.empty()) GTEST_SKIP() << "the real cluster's kubeconfig has no static token for the plugin to print";
  std::string tokens = cluster.temp_dir().Write("tokens", good + "\n");
  std::string plugin = WritePlugin(cluster, tokens, "2000-01-01T00:00:00Z");  // always expired
  auto c = ClientFor(cluster.WriteKubeconfig(
      "exec-kubeconfig", "    exec:\n      apiVersion: client.authentication.k8s.io/v1beta1\n      command: " + plugin + "\n"));
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(c->Get(resources::kNamespaces, "", cluster.namespace_name()).ok());
  EXPECT_EQ(Runs(cluster), 3);
}

TEST(KubeAuth, ForbiddenIsTyped) {
  // A real cluster gives the test no second identity with fewer rights; the fake does.
  TestCluster cluster(WithTokens("dev-token:dev"));
  ASSERT_TRUE(cluster.client().List(resources::kSecrets, cluster.namespace_name()).ok());
  KEYROLL_SKIP_UNLESS_FAKE(cluster, "a 403 (the test has no second identity with fewer rights there)");
  auto c = ClientFor(cluster.WriteKubeconfig("dev-kubeconfig", "    token: dev-token\n"));
  auto r = c->List(resources::kSecrets, cluster.namespace_name());
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(IsForbidden(r.error())) << r.error().ToString();
  EXPECT_EQ(r.error().code, 403);
  EXPECT_NE(r.error().message.find("forbidden"), std::string::npos);
  EXPECT_EQ(r.error().ToString().find("dev-token"), std::string::npos);
}

TEST(KubeAuth, UnknownCertificateAuthorityFailsVerification) {
  TestCluster cluster;
  if (cluster.config().server.rfind("https://", 0) != 0) GTEST_SKIP() << "server is not https";
  Config wrong = cluster.config();
  wrong.ca_pem = fakes::GenerateTlsMaterial("someone-else").ca_cert_pem;
  auto c = Client::Create(wrong);
  ASSERT_TRUE(c.ok());
  auto r = (*c)->Get(resources::kNamespaces, "", cluster.namespace_name());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().reason, Reason::kTls) << r.error().ToString();
  EXPECT_NE(r.error().message.find("TLS verification of " + wrong.server + " failed: certificate signed by unknown authority"),
            std::string::npos) << r.error().message;

  Config insecure = wrong;
  insecure.insecure_skip_tls_verify = true;
  auto ok = (*Client::Create(insecure))->Get(resources::kNamespaces, "", cluster.namespace_name());
  EXPECT_TRUE(ok.ok()) << ok.error().ToString();

  Config system_roots = cluster.config();
  system_roots.ca_pem.clear();  // the fake's CA is in no system store
  KEYROLL_SKIP_UNLESS_FAKE(cluster, "refusal by the system roots (a real cluster's CA may be in them)");
  auto sys = (*Client::Create(system_roots))->Get(resources::kNamespaces, "", cluster.namespace_name());
  ASSERT_FALSE(sys.ok());
  EXPECT_EQ(sys.error().reason, Reason::kTls);
}

// A kubeconfig CA replaces the system roots, as in client-go: a server certificate that only
// the system store (here SSL_CERT_FILE) vouches for is refused; with no CA in the kubeconfig,
// the system store is what is trusted.
TEST(KubeAuth, TheKubeconfigCaReplacesTheSystemRoots) {
  TestCluster cluster;
  if (cluster.config().server.rfind("https://", 0) != 0 || cluster.config().ca_pem.empty())
    GTEST_SKIP() << "server is not https with a CA in the kubeconfig";
  TempDir dir;
  const std::string system_bundle = dir.Write("system-roots.pem", cluster.config().ca_pem);
  ASSERT_EQ(setenv("SSL_CERT_FILE", system_bundle.c_str(), 1), 0);  // this test's process only

  Config other_ca = cluster.config();
  other_ca.ca_pem = fakes::GenerateTlsMaterial("someone-else").ca_cert_pem;
  auto refused = (*Client::Create(other_ca))->Get(resources::kNamespaces, "", cluster.namespace_name());
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().reason, Reason::kTls) << refused.error().ToString();

  Config system_roots = cluster.config();
  system_roots.ca_pem.clear();
  auto client = Client::Create(system_roots);
  ASSERT_TRUE(client.ok());
  for (int i = 0; i < 3; ++i) {  // on fresh and pooled connections alike
    auto ok = (*client)->Get(resources::kNamespaces, "", cluster.namespace_name());
    EXPECT_TRUE(ok.ok()) << ok.error().ToString();
  }
  unsetenv("SSL_CERT_FILE");
}

TEST(KubeAuth, ConnectionRefusedIsANetworkError) {
  Config c;
  c.server = "https://127.0.0.1:" + std::to_string(keyroll::testing::FreePort());
  TransportOptions quick;
  quick.connect_timeout = std::chrono::seconds(5);
  auto client = Client::Create(c, quick);
  ASSERT_TRUE(client.ok());
  auto r = (*client)->Get(resources::kSecrets, "default", "x");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().reason, Reason::kNetwork);
  EXPECT_TRUE(IsRetryable(r.error()));
  EXPECT_NE(r.error().message.find("cannot connect to " + c.server), std::string::npos) << r.error().message;
}

// The fake API server does not authenticate client certificates, so mutual TLS is checked
// against a small HTTPS server that requires one signed by a CA of the test's own.
TEST(KubeAuth, ClientCertificateAuthentication) {
  TempDir dir;
  auto server_tls = fakes::GenerateTlsMaterial("mtls-server");
  auto client_tls = fakes::GenerateTlsMaterial("mtls-client");  // its leaf serves as a client cert
  fakes::WriteTlsMaterial(server_tls, dir.File("server"));
  dir.Write("client-ca.crt", client_tls.ca_cert_pem);
  httplib::SSLServer server(dir.File("server/tls.crt").c_str(), dir.File("server/tls.key").c_str(),
                            dir.File("client-ca.crt").c_str());
  ASSERT_TRUE(server.is_valid());
  server.Get("/api/v1/namespaces/default/configmaps/x", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(R"({"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"x"},"data":{"k":"mtls"}})",
                    "application/json");
  });
  int port = server.bind_to_any_port("127.0.0.1");
  std::thread serving([&] { server.listen_after_bind(); });

  dir.Write("client.crt", client_tls.server_cert_pem);
  dir.Write("client.key", client_tls.server_key_pem);
  dir.Write("ca.crt", server_tls.ca_cert_pem);
  std::string kubeconfig = dir.Write("kubeconfig",
      "current-context: x\nclusters: [{name: c, cluster: {server: 'https://127.0.0.1:" + std::to_string(port) +
      "', certificate-authority: ca.crt}}]\nusers: [{name: u, user: {client-certificate: client.crt, client-key: client.key}}]\n"
      "contexts: [{name: x, context: {cluster: c, user: u}}]\n");
  auto with_cert = ClientFor(kubeconfig);
  auto r = with_cert->Get(resources::kConfigMaps, "default", "x");
  EXPECT_TRUE(r.ok()) << r.error().ToString();
  if (r.ok()) {
    EXPECT_EQ((*r)["data"]["k"], "mtls");
  }

  Config no_cert = with_cert->config();
  no_cert.client_cert_pem.clear();
  no_cert.client_key_pem.clear();
  auto refused = (*Client::Create(no_cert))->Get(resources::kConfigMaps, "default", "x");
  ASSERT_FALSE(refused.ok());
  EXPECT_TRUE(refused.error().reason == Reason::kTls || refused.error().reason == Reason::kNetwork)
      << refused.error().ToString();
  with_cert.reset();  // close the keep-alive connection, or the server's worker idles 5 s on it
  server.stop();
  serving.join();
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::kube
