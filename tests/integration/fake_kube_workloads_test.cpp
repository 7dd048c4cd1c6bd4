// The fake serves the workload kinds keyroll gates besides Deployments (apps/v1 StatefulSet
// and DaemonSet, batch/v1 Job and CronJob) as a real server does: each capture's own request
// gets the capture's defaults and status (201-create-*.txt), and a template change moves the
// generation (200-*-template-annotation-bumps-generation.txt). Pod template defaults (image
// pull policy, termination message path, …) are not emulated: keyroll reads none of them.
#include <gtest/gtest.h>

#include "tests/integration/fake_kube_fixture.h"
#include "tests/unit/kube/kube_wire_capture.h"

namespace keyroll::fakes {
namespace {
namespace KEYROLL_UNITY_ID {

using kube::testing::LoadCapture;

struct Capture {
  std::string request_body;  // what the capture POSTed (the '-d' of its first line)
  json answer;
};

Capture Load(const std::string& name) {
  auto c = LoadCapture(name);
  std::ifstream in(std::string(KEYROLL_SOURCE_DIR) + "/tests/unit/testdata/k8s-wire/" + name);
  std::string first;
  std::getline(in, first);
  auto d = first.find(" -d ");
  return {d == std::string::npos ? "" : first.substr(d + 4), json::parse(c.body)};
}

// The parts of a spec a real server defaults, without the pod template.
json SpecWithoutTemplate(json spec) {
  spec.erase("template");
  if (spec.contains("jobTemplate")) spec["jobTemplate"]["spec"].erase("template");
  return spec;
}

// A Job's selector and labels name its own uid: compare them with the uid as a placeholder.
json WithUid(json j, const std::string& uid) {
  std::string text = j.dump();
  for (size_t at = text.find(uid); at != std::string::npos; at = text.find(uid, at)) text.replace(at, uid.size(), "UID");
  return json::parse(text);
}

struct Kind {
  const char* capture;
  const char* path;
};

TEST_F(FakeKubeTest, WorkloadKindsGetTheDefaultsAndStatusOfARealServer) {
  for (const Kind& k : {Kind{"201-create-statefulset.txt", "/apis/apps/v1/namespaces/wire-capture/statefulsets"},
                        Kind{"201-create-daemonset.txt", "/apis/apps/v1/namespaces/wire-capture/daemonsets"},
                        Kind{"201-create-job.txt", "/apis/batch/v1/namespaces/wire-capture/jobs"},
                        Kind{"201-create-cronjob.txt", "/apis/batch/v1/namespaces/wire-capture/cronjobs"}}) {
    SCOPED_TRACE(k.capture);
    Capture want = Load(k.capture);
    ASSERT_FALSE(want.request_body.empty());
    json got = MustCreate(k.path, json::parse(want.request_body));
    const std::string got_uid = got["metadata"].value("uid", ""), want_uid = want.answer["metadata"].value("uid", "");
    EXPECT_EQ(WithUid(SpecWithoutTemplate(got["spec"]), got_uid), WithUid(SpecWithoutTemplate(want.answer["spec"]), want_uid));
    EXPECT_EQ(got["status"], want.answer["status"]);
    EXPECT_EQ(got["metadata"]["generation"], want.answer["metadata"]["generation"]);
    EXPECT_EQ(WithUid(got["metadata"].value("labels", json()), got_uid),
              WithUid(want.answer["metadata"].value("labels", json()), want_uid));
    EXPECT_EQ(got["metadata"].value("annotations", json()), want.answer["metadata"].value("annotations", json()));
    if (want.answer["spec"].contains("template")) {
      EXPECT_EQ(WithUid(got["spec"]["template"]["metadata"].value("labels", json()), got_uid),
                WithUid(want.answer["spec"]["template"]["metadata"].value("labels", json()), want_uid));
    }
  }
}

TEST_F(FakeKubeTest, AWorkloadTemplateChangeMovesItsGeneration) {
  for (const Kind& k : {Kind{"200-statefulset-template-annotation-bumps-generation.txt",
                             "/apis/apps/v1/namespaces/wire-capture/statefulsets"},
                        Kind{"200-daemonset-template-annotation-bumps-generation.txt",
                             "/apis/apps/v1/namespaces/wire-capture/daemonsets"}}) {
    SCOPED_TRACE(k.capture);
    const bool sts = std::string(k.capture).find("statefulset") != std::string::npos;
    Capture create = Load(sts ? "201-create-statefulset.txt" : "201-create-daemonset.txt");
    json created = MustCreate(k.path, json::parse(create.request_body));
    Capture want = Load(k.capture);
    HttpAnswer patched = client().Patch(std::string(k.path) + "/" + created["metadata"].value("name", ""),
                                        want.request_body);
    ASSERT_EQ(patched.status, 200) << patched.body;
    json got = patched.Json();
    EXPECT_EQ(got["metadata"]["generation"], want.answer["metadata"]["generation"]);
    EXPECT_EQ(got["metadata"].value("annotations", json()), want.answer["metadata"].value("annotations", json()));
    EXPECT_EQ(got["spec"]["template"]["metadata"]["annotations"], want.answer["spec"]["template"]["metadata"]["annotations"]);
    // A status write leaves the generation alone.
    HttpAnswer status = client().Patch(std::string(k.path) + "/" + created["metadata"].value("name", "") + "/status",
                                       R"({"status":{"observedGeneration":2}})");
    ASSERT_EQ(status.status, 200) << status.body;
    EXPECT_EQ(status.Json()["metadata"]["generation"], want.answer["metadata"]["generation"]);
  }
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::fakes
