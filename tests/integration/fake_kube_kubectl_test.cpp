// The fake as a process, driven by the real kubectl (/usr/bin/kubectl): discovery, tables,
// -o json/yaml, create -f, apply -f, patch --type=merge, delete, and a CRD-defined resource
// whose printer columns show up in `kubectl get`.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <nlohmann/json.hpp>

#include "tests/fakes/kube/test_client.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/wait.h"

namespace keyroll::fakes {
namespace {
namespace KEYROLL_UNITY_ID {

using keyroll::testing::BuiltBinary;
using keyroll::testing::Process;
using keyroll::testing::ReadFile;
using keyroll::testing::TempDir;
using keyroll::testing::WaitUntil;
using json = nlohmann::json;

struct KubectlRun {
  int exit_code = -1;
  std::string output;
};

class KubectlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    state_ = dir_.File("state");
    server_ = std::make_unique<Process>(keyroll::testing::ProcessOptions{
        {BuiltBinary("fake-kube-apiserver"), "--state-dir", state_, "--bookmark-interval-ms", "200"},
        {},
        dir_.File("server.log")});
    ASSERT_TRUE(WaitUntil([&] {
      return server_->Output().find("fake-kube-apiserver listening on https://127.0.0.1:") != std::string::npos;
    })) << server_->Output();
  }

  KubectlRun Kubectl(std::vector<std::string> args, const std::string& kubeconfig = "") {
    static int n = 0;
    std::string log = dir_.File("kubectl-" + std::to_string(++n) + ".log");
    std::vector<std::string> argv = {"/usr/bin/kubectl", "--kubeconfig",
                                     kubeconfig.empty() ? state_ + "/kubeconfig" : kubeconfig,
                                     "--cache-dir", dir_.File("cache"), "--request-timeout", "20s"};
    argv.insert(argv.end(), args.begin(), args.end());
    Process p({argv, {{"HOME", dir_.path()}}, log});
    auto status = p.Wait(std::chrono::seconds(60));
    KubectlRun r;
    r.output = p.Output();
    if (status && WIFEXITED(*status)) r.exit_code = WEXITSTATUS(*status);
    return r;
  }

  TempDir dir_;
  std::string state_;
  std::unique_ptr<Process> server_;
};

constexpr const char* kCrd = R"(apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: signingkeyrotations.keyroll.dev
spec:
  group: keyroll.dev
  scope: Namespaced
  names: {plural: signingkeyrotations, singular: signingkeyrotation, kind: SigningKeyRotation, shortNames: [skr]}
  versions:
  - name: v1alpha1
    served: true
    storage: true
    subresources: {status: {}}
    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
    additionalPrinterColumns:
    - {name: Phase, type: string, jsonPath: .status.phase}
    - {name: Rotations, type: integer, jsonPath: .status.rotationCount}
)";

TEST_F(KubectlTest, StateDirHoldsEverythingAClientNeeds) {
  for (const char* f : {"ca.crt", "tls.crt", "tls.key", "port", "kubeconfig", "admin-token"}) {
    EXPECT_FALSE(ReadFile(state_ + "/" + f).empty()) << f;
  }
  int port = std::stoi(ReadFile(state_ + "/port"));
  std::string line = "fake-kube-apiserver listening on https://127.0.0.1:" + std::to_string(port) + "\n";
  EXPECT_EQ(server_->Output(), line);
  KubeTestClient client(port, ReadFile(state_ + "/ca.crt"), ReadFile(state_ + "/admin-token"));
  EXPECT_EQ(client.Get("/api/v1/namespaces").status, 200);
  std::string kubeconfig = ReadFile(state_ + "/kubeconfig");
  EXPECT_NE(kubeconfig.find("current-context: fake"), std::string::npos);
  EXPECT_NE(kubeconfig.find("certificate-authority-data: "), std::string::npos);
  auto status = server_->Stop();
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0);
}

TEST_F(KubectlTest, GetCreatePatchApplyDelete) {
  KubectlRun ns = Kubectl({"get", "ns"});
  ASSERT_EQ(ns.exit_code, 0) << ns.output;
  EXPECT_NE(ns.output.find("default"), std::string::npos);
  EXPECT_NE(ns.output.find("Active"), std::string::npos);

  std::string secret = dir_.Write("secret.yaml", R"(apiVersion: v1
kind: Secret
metadata: {name: keys, namespace: default, labels: {app: demo}}
stringData: {CURRENT: c1}
)");
  KubectlRun created = Kubectl({"create", "-f", secret});
  ASSERT_EQ(created.exit_code, 0) << created.output;
  EXPECT_NE(created.output.find("secret/keys created"), std::string::npos);

  KubectlRun patched = Kubectl({"patch", "secret", "keys", "--type=merge", "-p", R"({"stringData":{"NEXT":"n1"}})"});
  ASSERT_EQ(patched.exit_code, 0) << patched.output;
  KubectlRun got = Kubectl({"get", "secret", "keys", "-o", "json"});
  ASSERT_EQ(got.exit_code, 0) << got.output;
  json s = json::parse(got.output.substr(got.output.find('{')));
  EXPECT_EQ(s["data"]["CURRENT"], "YzE=");
  EXPECT_EQ(s["data"]["NEXT"], "bjE=");
  KubectlRun table = Kubectl({"get", "secrets", "-l", "app=demo"});
  ASSERT_EQ(table.exit_code, 0) << table.output;
  EXPECT_NE(table.output.find("Opaque"), std::string::npos);
  KubectlRun yaml = Kubectl({"get", "secret", "keys", "-o", "yaml"});
  EXPECT_NE(yaml.output.find("name: keys"), std::string::npos);

  std::string deployment = dir_.Write("deploy.yaml", R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: default}
spec:
  replicas: 2
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec: {containers: [{name: c, image: example/api:1}]}
)");
  ASSERT_EQ(Kubectl({"apply", "-f", deployment}).exit_code, 0);
  dir_.Write("deploy.yaml", ReadFile(deployment).replace(ReadFile(deployment).find("api:1"), 5, "api:2"));
  KubectlRun applied = Kubectl({"apply", "-f", deployment});
  ASSERT_EQ(applied.exit_code, 0) << applied.output;
  KubectlRun image = Kubectl({"get", "deploy", "api", "-o", "jsonpath={.metadata.generation} {.spec.template.spec.containers[0].image}"});
  EXPECT_EQ(image.output, "2 example/api:2");

  KubectlRun deleted = Kubectl({"delete", "secret", "keys"});
  ASSERT_EQ(deleted.exit_code, 0) << deleted.output;
  KubectlRun missing = Kubectl({"get", "secret", "keys"});
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(missing.output.find("NotFound"), std::string::npos);
}

TEST_F(KubectlTest, CustomResourceGetShowsPrinterColumns) {
  ASSERT_EQ(Kubectl({"create", "-f", dir_.Write("crd.yaml", kCrd)}).exit_code, 0);
  std::string skr = dir_.Write("skr.yaml", R"(apiVersion: keyroll.dev/v1alpha1
kind: SigningKeyRotation
metadata: {name: payments, namespace: default}
spec: {target: {secretName: keys}}
)");
  KubectlRun created = Kubectl({"create", "-f", skr});
  ASSERT_EQ(created.exit_code, 0) << created.output;
  KubectlRun status = Kubectl({"patch", "skr", "payments", "--subresource=status", "--type=merge", "-p",
                        R"({"status":{"phase":"WaitingForConsumers","rotationCount":7}})"});
  ASSERT_EQ(status.exit_code, 0) << status.output;
  KubectlRun got = Kubectl({"get", "skr"});
  ASSERT_EQ(got.exit_code, 0) << got.output;
  EXPECT_NE(got.output.find("PHASE"), std::string::npos) << got.output;
  EXPECT_NE(got.output.find("ROTATIONS"), std::string::npos);
  EXPECT_NE(got.output.find("WaitingForConsumers"), std::string::npos);
  EXPECT_NE(got.output.find(" 7"), std::string::npos);
  KubectlRun json_out = Kubectl({"get", "signingkeyrotations.keyroll.dev", "payments", "-o", "json"});
  ASSERT_EQ(json_out.exit_code, 0) << json_out.output;
  EXPECT_EQ(json::parse(json_out.output.substr(json_out.output.find('{')))["metadata"]["generation"], 1);
  ASSERT_EQ(Kubectl({"delete", "skr", "payments"}).exit_code, 0);
  KubectlRun none = Kubectl({"get", "skr"});
  EXPECT_EQ(none.exit_code, 0);
  EXPECT_NE(none.output.find("No resources found"), std::string::npos);
}

TEST(FakeKubeProcess, PlainHttpTokensAndAuthzFile) {
  TempDir dir;
  std::string authz = dir.Write("authz.yaml", R"(users:
  dev:
    rules:
    - {apiGroups: [""], resources: [configmaps], verbs: [get, list], namespaces: [default]}
)");
  Process server({{BuiltBinary("fake-kube-apiserver"), "--plain-http", "--state-dir", dir.File("s"),
                   "--token", "admintok:admin", "--token", "devtok:dev", "--authz", authz},
                  {},
                  dir.File("server.log")});
  ASSERT_TRUE(WaitUntil([&] { return server.Output().find("listening on http://127.0.0.1:") != std::string::npos; }))
      << server.Output();
  int port = std::stoi(ReadFile(dir.File("s/port")));
  EXPECT_EQ(ReadFile(dir.File("s/admin-token")), "admintok");
  KubeTestClient dev(port, "", "devtok");
  EXPECT_EQ(dev.Get("/api/v1/namespaces/default/configmaps").status, 200);
  HttpAnswer denied = dev.Get("/api/v1/namespaces/default/secrets");
  EXPECT_EQ(denied.status, 403);
  EXPECT_EQ(denied.Json()["message"],
            "secrets is forbidden: User \"dev\" cannot list resource \"secrets\" in API group \"\" in the namespace \"default\"");
  KubeTestClient admin(port, "", "admintok");
  EXPECT_EQ(admin.Get("/api/v1/namespaces/default/secrets").status, 200);
  auto status = server.Stop();
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0);
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::fakes
