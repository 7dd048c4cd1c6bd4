// controller_fixture: the real keyroll binary as a process against a TestCluster (the fake
// API server, or a real cluster via KEYROLL_TEST_KUBECONFIG) and an in-process QStash fake
// over HTTPS. Applies the CRD and a token Secret, starts keyroll (JSON logs, ports chosen by
// the OS) and offers small helpers to create resources and read their status back.
#pragma once

#include <sys/wait.h>

#include <memory>
#include <optional>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "operator/kube/base64.h"
#include "operator/kube/client.h"
#include "operator/rotation/fingerprint.h"
#include "tests/fakes/kube/yaml_json.h"
#include "tests/fakes/qstash/fake_qstash.h"
#include "tests/support/cluster.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/wait.h"

namespace keyroll::testing {

using nlohmann::json;
using namespace std::chrono_literals;

class ControllerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cluster_ = std::make_unique<TestCluster>();
    ApplyCrd();
    qstash_ = std::make_unique<fakes::FakeQStash>();
    qstash_->Start();
    token_ = qstash_->CreateAccount();
    ca_file_ = cluster_->temp_dir().Write("qstash-ca.crt", qstash_->ca_cert_pem());
    MustOk(client().Create(kube::resources::kSecrets, ns(),
                           {{"apiVersion", "v1"}, {"kind", "Secret"}, {"metadata", {{"name", "qstash"}}},
                            {"data", {{"QSTASH_TOKEN", kube::EncodeBase64(token_)}}}}),
           "create token Secret");
  }

  void TearDown() override {
    if (keyroll_) {
      ExpectNoKeyMaterialInLog();
      keyroll_->Stop();
    }
  }

  kube::Client& client() { return cluster_->client(); }
  const std::string& ns() const { return cluster_->namespace_name(); }

  template <class R>
  static void MustOk(const R& r, const std::string& what) {
    if (!r) throw std::runtime_error(what + ": " + r.error().ToString());
  }

  void ApplyCrd() {
    std::string text = ReadFile(std::string(KEYROLL_SOURCE_DIR) + "/crds/keyroll.dev_signingkeyrotations.yaml");
    for (const auto& doc : fakes::ParseYamlDocuments(text)) {
      auto r = client().Create({"apiextensions.k8s.io", "v1", "customresourcedefinitions", false}, "", doc);
      if (!r && !kube::IsAlreadyExists(r.error())) throw std::runtime_error("CRD: " + r.error().ToString());
    }
    bool served = WaitUntil([&] { return static_cast<bool>(client().List(kube::resources::kSigningKeyRotations, ns())); },
                            30s);
    if (!served) throw std::runtime_error("the SigningKeyRotation resource is not served");
  }

  // Starts keyroll and waits for "caches synced".
  void StartKeyroll(std::map<std::string, std::string> env = {}) {
    ProcessOptions po;
    po.argv = {BuiltBinary("keyroll"), "--kubeconfig", cluster_->kubeconfig_path(), "--namespace", ns(),
               "--metrics-bind-address", "127.0.0.1:0", "--health-probe-bind-address", "127.0.0.1:0",
               "--log-format", "json", "--log-level", "debug", "--provider-ca-file", ca_file_};
    po.env = std::move(env);
    po.log_path = cluster_->temp_dir().File("keyroll.log");
    keyroll_ = std::make_unique<Process>(po);
    bool synced = WaitUntil([&] { return Log().find("\"caches synced\"") != std::string::npos || !keyroll_->running(); }, 30s);
    if (!synced || !keyroll_->running()) throw std::runtime_error("keyroll did not start:\n" + Log());
  }

  std::string Log() const { return keyroll_ ? keyroll_->Output() : ""; }

  void ExpectNoKeyMaterialInLog() {
    std::string log = Log();
    for (const auto& secret : qstash_->AllSecrets())
      EXPECT_EQ(log.find(secret), std::string::npos) << "key material or a token appears in keyroll's log";
  }

  json Skr(const std::string& name, const json& spec) const {
    return {{"apiVersion", "keyroll.dev/v1alpha1"}, {"kind", "SigningKeyRotation"},
            {"metadata", {{"name", name}}}, {"spec", spec}};
  }
  // A minimal valid spec for the fake's account; `extra` is merged in.
  json QStashSpec(const json& extra = json::object()) const {
    json spec = {{"provider", {{"qstash", {{"url", qstash_->base_url()},
                                           {"tokenSecretRef", {{"name", "qstash"}, {"key", "QSTASH_TOKEN"}}}}}}},
                 {"rotation", {{"minInterval", "0s"}}}};
    spec.merge_patch(extra);
    return spec;
  }
  json CreateSkr(const std::string& name, const json& spec) {
    auto r = client().Create(kube::resources::kSigningKeyRotations, ns(), Skr(name, spec));
    MustOk(r, "create SigningKeyRotation");
    return *r;
  }
  std::optional<json> Get(const kube::ResourceRef& r, const std::string& name) {
    auto o = client().Get(r, ns(), name);
    if (!o) return std::nullopt;
    return *o;
  }
  // The condition of that type in the resource's status, or null.
  json Condition(const std::string& skr, const std::string& type) {
    auto o = Get(kube::resources::kSigningKeyRotations, skr);
    if (!o) return nullptr;
    for (const auto& c : o->value("status", json::object()).value("conditions", json::array()))
      if (c.value("type", "") == type) return c;
    return nullptr;
  }
  bool ConditionIs(const std::string& skr, const std::string& type, const std::string& status,
                   const std::string& reason = "") {
    json c = Condition(skr, type);
    return !c.is_null() && c.value("status", "") == status && (reason.empty() || c.value("reason", "") == reason);
  }
  std::string SecretValue(const json& secret, const std::string& key) {
    auto v = kube::DecodeBase64(secret["data"].value(key, ""));
    return v.value_or("");
  }
  int Writes() {  // create/update/patch/delete requests the fake has served so far
    json by_verb = cluster_->Stats()["by_verb"];
    int n = 0;
    for (const char* verb : {"create", "update", "patch", "delete", "deletecollection"}) n += by_verb.value(verb, 0);
    return n;
  }

  std::unique_ptr<TestCluster> cluster_;
  std::unique_ptr<fakes::FakeQStash> qstash_;
  std::string token_;
  std::string ca_file_;
  std::unique_ptr<Process> keyroll_;
};

}  // namespace keyroll::testing
