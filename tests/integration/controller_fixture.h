// controller_fixture: the real keyroll binary as a process against a TestCluster (the fake
// API server, or a real cluster via KEYROLL_TEST_KUBECONFIG) and an in-process QStash fake
// over HTTPS. Applies the CRD and a token Secret, starts keyroll (JSON logs, ports chosen by
// the OS) and offers small helpers to create resources and read their status back.
#pragma once

#include <sys/wait.h>

#include <map>
#include <memory>
#include <sstream>
#include <utility>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "operator/base/encoding.h"
#include "operator/kube/client.h"
#include "operator/base/fingerprint.h"
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
                            {"data", {{"QSTASH_TOKEN", base::Base64Encode(token_)}}}}),
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

  // Starts a keyroll process (more flags in `extra`) and waits for "caches synced".
  std::unique_ptr<Process> LaunchKeyroll(const std::string& log_name, std::vector<std::string> extra = {},
                                         std::map<std::string, std::string> env = {}) {
    ProcessOptions po;
    po.argv = {BuiltBinary("keyroll"), "--kubeconfig", cluster_->kubeconfig_path(), "--namespace", ns(),
               "--metrics-bind-address", "127.0.0.1:0", "--health-probe-bind-address", "127.0.0.1:0",
               "--log-format", "json", "--log-level", "debug", "--provider-ca-file", ca_file_};
    po.argv.insert(po.argv.end(), extra.begin(), extra.end());
    po.env = std::move(env);
    po.log_path = cluster_->temp_dir().File(log_name);
    auto p = std::make_unique<Process>(po);
    bool synced = WaitUntil([&] { return p->Output().find("\"caches synced\"") != std::string::npos || !p->running(); }, 30s);
    if (!synced || !p->running()) throw std::runtime_error("keyroll did not start:\n" + p->Output());
    return p;
  }
  void StartKeyroll(std::map<std::string, std::string> env = {}) { keyroll_ = LaunchKeyroll("keyroll.log", {}, std::move(env)); }

  // The "address" field of the first JSON log line with this msg ("" if none).
  static std::string LoggedAddress(const std::string& log, const std::string& msg) {
    std::istringstream lines(log);
    for (std::string line; std::getline(lines, line);) {
      json j = json::parse(line, nullptr, false);
      if (j.is_object() && j.value("msg", "") == msg) return j.value("address", "");
    }
    return "";
  }
  // GET http://address/path: the status code (0 when unreachable) and body.
  static std::pair<int, std::string> HttpGet(const std::string& address, const std::string& path) {
    auto colon = address.rfind(':');
    httplib::Client c(address.substr(0, colon), std::stoi(address.substr(colon + 1)));
    c.set_connection_timeout(2);
    c.set_read_timeout(5);
    auto r = c.Get(path.c_str());
    if (!r) return {0, ""};
    return {r->status, r->body};
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
    auto v = base::Base64Decode(secret["data"].value(key, ""));
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
