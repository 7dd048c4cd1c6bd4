// fake_kube_fixture: a started in-process fake API server plus an HTTPS client that verifies
// its CA, for the fake_kube_*_test suites; and the Widget CRD the captures in
// /work/shared/k8s-wire use (status subresource, printer column).
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "tests/fakes/kube/fake_kube_apiserver.h"
#include "tests/fakes/kube/test_client.h"
#include "tests/support/wait.h"

namespace keyroll::fakes {

using json = nlohmann::json;

inline json WidgetCrd() {
  return json::parse(R"({
    "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
    "metadata": {"name": "widgets.wire.example.com"},
    "spec": {"group": "wire.example.com", "scope": "Namespaced",
      "names": {"plural": "widgets", "singular": "widget", "kind": "Widget", "shortNames": ["wd"]},
      "versions": [{"name": "v1alpha1", "served": true, "storage": true,
        "subresources": {"status": {}},
        "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}},
        "additionalPrinterColumns": [{"name": "Phase", "type": "string", "jsonPath": ".status.phase"},
                                     {"name": "Size", "type": "integer", "jsonPath": ".spec.size"}]}]}})");
}

class FakeKubeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    FakeKubeOptions options;
    options.bookmark_interval = std::chrono::milliseconds(200);
    Configure(options);
    api_ = std::make_unique<FakeKubeApiServer>(options);
    api_->Start();
    client_ = std::make_unique<KubeTestClient>(api_->port(), api_->ca_cert_pem(), api_->admin_token());
    api_->Create("v1", "namespaces", "", {{"metadata", {{"name", "wire-capture"}}}});
  }
  void TearDown() override {
    client_.reset();
    api_->Stop();
  }
  virtual void Configure(FakeKubeOptions&) {}

  KubeTestClient& client() { return *client_; }
  FakeKubeApiServer& api() { return *api_; }

  std::unique_ptr<WatchStream> Watch(const std::string& path) {
    return std::make_unique<WatchStream>(api_->port(), api_->ca_cert_pem(), api_->admin_token(), path);
  }
  // POSTs and expects 201; returns the created object.
  json MustCreate(const std::string& path, const json& body) {
    HttpAnswer a = client_->Post(path, body);
    EXPECT_EQ(a.status, 201) << a.body;
    return a.Json();
  }
  void CreateWidgetCrd() {
    MustCreate("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", WidgetCrd());
  }

  std::unique_ptr<FakeKubeApiServer> api_;
  std::unique_ptr<KubeTestClient> client_;
};

}  // namespace keyroll::fakes
