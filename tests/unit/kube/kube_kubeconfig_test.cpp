// kubeconfig and in-cluster config loading: every user kind, contexts, relative paths,
// data vs file, and broken input that must give clear errors (never a crash, never a token).
#include "operator/kube/kubeconfig.h"

#include <cstdlib>
#include <filesystem>

#include <gtest/gtest.h>

#include "operator/base/encoding.h"
#include "operator/kube/transport.h"
#include "tests/fakes/common/tls_cert.h"
#include "tests/support/temp_dir.h"

namespace keyroll::kube {
namespace {
namespace KEYROLL_UNITY_ID {

using keyroll::testing::TempDir;

const fakes::TlsMaterial& Tls() {
  static fakes::TlsMaterial m = fakes::GenerateTlsMaterial("kubeconfig-test");
  return m;
}

TEST(Kubeconfig, TokenUserAndContextNamespace) {
  auto c = ParseKubeconfig(R"(
apiVersion: v1
kind: Config
current-context: dev
clusters:
- name: c1
  cluster: {server: "https://10.0.0.1:6443", insecure-skip-tls-verify: true}
users:
- name: u1
  user: {token: s3cr3t-token}
contexts:
- name: dev
  context: {cluster: c1, user: u1, namespace: payments}
)", "/etc");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->server, "https://10.0.0.1:6443");
  EXPECT_TRUE(c->insecure_skip_tls_verify);
  EXPECT_EQ(c->token, "s3cr3t-token");
  EXPECT_EQ(c->namespace_name, "payments");
  EXPECT_FALSE(c->exec.has_value());
}

const char* kTwoContexts = R"(
current-context: a
clusters:
- {name: ca, cluster: {server: "https://a:1"}}
- {name: cb, cluster: {server: "https://b:2"}}
users:
- {name: ua, user: {token: ta}}
- {name: ub, user: {tokenFile: tokens/b.txt}}
contexts:
- {name: a, context: {cluster: ca, user: ua}}
- {name: b, context: {cluster: cb, user: ub}}
)";

TEST(Kubeconfig, CurrentContextAndExplicitContext) {
  auto a = ParseKubeconfig(kTwoContexts, "/cfg");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->server, "https://a:1");
  EXPECT_EQ(a->namespace_name, "default");
  auto b = ParseKubeconfig(kTwoContexts, "/cfg", "b");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->server, "https://b:2");
  EXPECT_EQ(b->token_file, "/cfg/tokens/b.txt");  // relative to the kubeconfig's directory
  auto missing = ParseKubeconfig(kTwoContexts, "/cfg", "nope");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("context 'nope' not found"), std::string::npos);
}

TEST(Kubeconfig, FilesResolveRelativeToTheKubeconfig) {
  TempDir dir;
  std::filesystem::create_directories(dir.File("pki"));
  dir.Write("pki/ca.crt", Tls().ca_cert_pem);
  dir.Write("pki/client.crt", Tls().server_cert_pem);
  dir.Write("pki/client.key", Tls().server_key_pem);
  std::string path = dir.Write("config", R"(
current-context: x
clusters: [{name: c, cluster: {server: "https://127.0.0.1:6443", certificate-authority: pki/ca.crt}}]
users: [{name: u, user: {client-certificate: pki/client.crt, client-key: pki/client.key}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
)");
  auto c = LoadKubeconfig(path);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->ca_pem, Tls().ca_cert_pem);
  EXPECT_EQ(c->client_cert_pem, Tls().server_cert_pem);
  EXPECT_EQ(c->client_key_pem, Tls().server_key_pem);
  EXPECT_TRUE(Transport::Create(*c).ok());
}

TEST(Kubeconfig, DataFieldsWinOverFiles) {
  std::string yaml = "current-context: x\nclusters: [{name: c, cluster: {server: 'https://h:1', "
                     "certificate-authority: /does/not/exist, certificate-authority-data: " +
                     base::Base64Encode(Tls().ca_cert_pem) +
                     "}}]\nusers: [{name: u, user: {client-certificate-data: " +
                     base::Base64Encode(Tls().server_cert_pem) + ", client-key-data: " +
                     base::Base64Encode(Tls().server_key_pem) +
                     "}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\n";
  auto c = ParseKubeconfig(yaml, "/");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->ca_pem, Tls().ca_cert_pem);
  EXPECT_EQ(c->client_key_pem, Tls().server_key_pem);
}

TEST(Kubeconfig, ExecPlugin) {
  auto c = ParseKubeconfig(R"(
current-context: x
clusters: [{name: c, cluster: {server: "https://h:1"}}]
users:
- name: u
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: ./bin/get-token
      args: [--cluster, prod]
      env: [{name: REGION, value: eu}]
      provideClusterInfo: true
      interactiveMode: Never
contexts: [{name: x, context: {cluster: c, user: u}}]
)", "/home/me/.kube");
  ASSERT_TRUE(c.ok()) << c.error().message;
  ASSERT_TRUE(c->exec.has_value());
  EXPECT_EQ(c->exec->command, "/home/me/.kube/./bin/get-token");
  EXPECT_EQ(c->exec->args, (std::vector<std::string>{"--cluster", "prod"}));
  ASSERT_EQ(c->exec->env.size(), 1u);
  EXPECT_EQ(c->exec->env[0].first, "REGION");
  EXPECT_TRUE(c->exec->provide_cluster_info);

  auto bare = ParseKubeconfig(R"(
current-context: x
clusters: [{name: c, cluster: {server: "https://h:1"}}]
users: [{name: u, user: {exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: aws}}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
)", "/home/me/.kube");
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(bare->exec->command, "aws");  // found on PATH, not next to the kubeconfig
}

struct Broken {
  const char* name;
  std::string yaml;
  const char* expect;
};

TEST(Kubeconfig, BrokenKubeconfigsGiveClearErrorsWithoutSecrets) {
  const std::string users = "users: [{name: u, user: {token: TOPSECRET}}]\n";
  const std::string ctx = "contexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n";
  std::vector<Broken> cases = {
      {"bad yaml", "clusters: [\n  - {name: c, cluster: {server: \n" + users, "invalid YAML"},
      {"not a map", "- just\n- a list\n", "not a kubeconfig"},
      {"empty", "", "not a kubeconfig"},
      {"no context", "clusters: []\n" + users, "no current-context"},
      {"no cluster", users + ctx, "cluster 'c' of context 'x' not found"},
      {"no server", "clusters: [{name: c, cluster: {}}]\n" + users + ctx, "has no server"},
      {"not a url", "clusters: [{name: c, cluster: {server: 'ftp://x'}}]\n" + users + ctx, "not an http(s) URL"},
      {"bad base64", "clusters: [{name: c, cluster: {server: 'https://h', certificate-authority-data: '!!notbase64'}}]\n" + users + ctx,
       "not valid base64"},
      {"missing ca file", "clusters: [{name: c, cluster: {server: 'https://h', certificate-authority: missing.crt}}]\n" + users + ctx,
       "cannot read certificate-authority file /nowhere/missing.crt"},
      {"no user", "clusters: [{name: c, cluster: {server: 'https://h'}}]\n" + ctx, "user 'u' not found"},
      {"cert without key", "clusters: [{name: c, cluster: {server: 'https://h'}}]\nusers: [{name: u, user: {token: TOPSECRET, client-certificate-data: " +
       base::Base64Encode("x") + "}}]\n" + ctx, "without a key"},
      {"old exec api", "clusters: [{name: c, cluster: {server: 'https://h'}}]\nusers: [{name: u, user: {token: TOPSECRET, exec: {apiVersion: client.authentication.k8s.io/v1alpha1, command: x}}}]\n" + ctx,
       "not supported"},
      {"wrong types", "clusters: {name: c}\n" + users + ctx, "'clusters' is not a list"},
      {"server is a map", "clusters: [{name: c, cluster: {server: {a: b}}}]\n" + users + ctx, "'server' is not a string"},
  };
  for (const auto& b : cases) {
    auto c = ParseKubeconfig(b.yaml, "/nowhere", "", "test-kubeconfig");
    ASSERT_FALSE(c.ok()) << b.name;
    EXPECT_EQ(c.error().reason, Reason::kConfig) << b.name;
    EXPECT_NE(c.error().message.find(b.expect), std::string::npos) << b.name << ": " << c.error().message;
    EXPECT_EQ(c.error().message.find("TOPSECRET"), std::string::npos) << b.name;
  }
}

TEST(Kubeconfig, BadPemIsACreateError) {
  Config c;
  c.server = "https://127.0.0.1:1";
  c.ca_pem = "not a certificate";
  auto t = Transport::Create(c);
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.error().message.find("not PEM certificates"), std::string::npos);
  c.ca_pem.clear();
  c.client_cert_pem = "junk";
  c.client_key_pem = "junk";
  EXPECT_FALSE(Transport::Create(c).ok());
}

TEST(Kubeconfig, LoadConfigPrefersFlagThenKubeconfigEnv) {
  TempDir dir;
  std::string path = dir.Write("cfg", "current-context: x\nclusters: [{name: c, cluster: {server: 'https://from-env:1'}}]\n"
                                      "contexts: [{name: x, context: {cluster: c}}]\n");
  setenv("KUBECONFIG", (dir.File("missing") + ":" + path).c_str(), 1);
  auto c = LoadConfig();
  unsetenv("KUBECONFIG");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->server, "https://from-env:1");
  auto missing = LoadConfig(dir.File("nope"));
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("cannot read kubeconfig"), std::string::npos);
}

TEST(InCluster, ReadsServiceAccountFiles) {
  TempDir dir;
  InClusterPaths p{dir.Write("token", "sa-token\n"), dir.Write("ca.crt", Tls().ca_cert_pem),
                   dir.Write("namespace", "keyroll-system")};
  setenv("KUBERNETES_SERVICE_HOST", "10.96.0.1", 1);
  setenv("KUBERNETES_SERVICE_PORT", "443", 1);
  auto c = InClusterConfig(p);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->server, "https://10.96.0.1:443");
  EXPECT_EQ(c->namespace_name, "keyroll-system");
  EXPECT_EQ(c->token_file, p.token);
  EXPECT_EQ(c->ca_pem, Tls().ca_cert_pem);
  Credentials creds(*c);
  EXPECT_EQ(*creds.Token(), "sa-token");

  setenv("KUBERNETES_SERVICE_HOST", "fd00::1", 1);
  EXPECT_EQ(InClusterConfig(p)->server, "https://[fd00::1]:443");
  p.token = dir.File("absent");
  auto bad = InClusterConfig(p);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("cannot read service account token"), std::string::npos);
  unsetenv("KUBERNETES_SERVICE_HOST");
  unsetenv("KUBERNETES_SERVICE_PORT");
  EXPECT_FALSE(InClusterConfig(p).ok());
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::kube
