// kubectl is the oracle (DESIGN.md: a consumer's rollout is complete "as `kubectl rollout
// status` judges it"). Each row writes a workload and its status to the API server, runs the
// real `kubectl rollout status --watch=false`, and compares kubectl's verdict with keyroll's
// (rotation::JudgeRollout on the informer's projection of the same object):
//   kubectl done        <-> keyroll Complete
//   kubectl waiting     <-> keyroll InProgress
//   kubectl error       <-> keyroll Failed (a Deployment past its progress deadline)
// Two rows differ on purpose, because keyroll must know that every pod runs the new
// template, and say so:
//   - a StatefulSet partition > 0: kubectl says "partitioned roll out complete", keyroll
//     CannotComplete (pods below the partition keep the old keys);
//   - updateStrategy OnDelete: kubectl refuses to judge ("only available for RollingUpdate");
//     keyroll says CannotComplete until every pod was replaced, then Complete.
// The table is printed, so a run shows kubectl's words next to keyroll's verdict.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <iostream>

#include "operator/controller/projections.h"
#include "operator/rotation/rollout.h"
#include "tests/support/cluster.h"
#include "tests/support/e2e_objects.h"

namespace keyroll::testing {
namespace {
namespace KEYROLL_UNITY_ID {

using rotation::RolloutProgress;
using rotation::WorkloadKind;

enum class Kubectl { Done, Waiting, Error };

struct Row {
  std::string name;  // object name (also the row's name)
  WorkloadKind kind;
  json spec_patch;      // merged into the object before it is created
  bool bump_generation; // change the template once more after creating (generation 2)
  json status;          // written to /status (observedGeneration filled in when absent)
  Kubectl kubectl;      // what kubectl must say
  std::string kubectl_says;  // a fragment of kubectl's output
  RolloutProgress keyroll;
};

const char* ToString(Kubectl k) { return k == Kubectl::Done ? "done" : k == Kubectl::Waiting ? "waiting" : "error"; }
const char* ToString(RolloutProgress p) {
  switch (p) {
    case RolloutProgress::Complete: return "Complete";
    case RolloutProgress::InProgress: return "InProgress";
    case RolloutProgress::Failed: return "Failed";
    case RolloutProgress::CannotComplete: return "CannotComplete";
  }
  return "?";
}

json Progressing(const std::string& status, const std::string& reason) {
  return json::array({{{"type", "Progressing"}, {"status", status}, {"reason", reason}, {"message", reason}}});
}

std::vector<Row> Rows() {
  using P = RolloutProgress;
  const json on_delete = {{"updateStrategy", {{"type", "OnDelete"}}}};
  auto partition = [](int p) { return json{{"updateStrategy", {{"type", "RollingUpdate"}, {"rollingUpdate", {{"partition", p}}}}}}; };
  const auto D = WorkloadKind::Deployment, S = WorkloadKind::StatefulSet, DS = WorkloadKind::DaemonSet;
  return {
      // Deployment (replicas 2).
      {"d-complete", D, {}, false, {{"replicas", 2}, {"updatedReplicas", 2}, {"availableReplicas", 2}, {"readyReplicas", 2}},
       Kubectl::Done, "successfully rolled out", P::Complete},
      {"d-unobserved", D, {}, true, {{"observedGeneration", 1}, {"replicas", 2}, {"updatedReplicas", 2}, {"availableReplicas", 2}},
       Kubectl::Waiting, "spec update to be observed", P::InProgress},
      {"d-updating", D, {}, false, {{"replicas", 2}, {"updatedReplicas", 1}, {"availableReplicas", 2}},
       Kubectl::Waiting, "1 out of 2 new replicas have been updated", P::InProgress},
      {"d-old-pods", D, {}, false, {{"replicas", 3}, {"updatedReplicas", 2}, {"availableReplicas", 2}},
       Kubectl::Waiting, "old replicas are pending termination", P::InProgress},
      {"d-unavailable", D, {}, false, {{"replicas", 2}, {"updatedReplicas", 2}, {"availableReplicas", 1}},
       Kubectl::Waiting, "1 of 2 updated replicas are available", P::InProgress},
      {"d-failed", D, {}, false,
       {{"replicas", 3}, {"updatedReplicas", 1}, {"availableReplicas", 2},
        {"conditions", Progressing("False", "ProgressDeadlineExceeded")}},
       Kubectl::Error, "exceeded its progress deadline", P::Failed},
      // StatefulSet (replicas 2; a real server defaults rollingUpdate.partition to 0).
      {"s-complete", S, {}, false,
       {{"replicas", 2}, {"readyReplicas", 2}, {"updatedReplicas", 2}, {"currentRevision", "r2"}, {"updateRevision", "r2"}},
       Kubectl::Done, "roll out complete", P::Complete},
      {"s-unobserved", S, {}, true, {{"observedGeneration", 1}, {"replicas", 2}, {"readyReplicas", 2}, {"updatedReplicas", 2}},
       Kubectl::Waiting, "spec update to be observed", P::InProgress},
      {"s-not-ready", S, {}, false,
       {{"replicas", 2}, {"readyReplicas", 1}, {"updatedReplicas", 2}, {"currentRevision", "r1"}, {"updateRevision", "r2"}},
       Kubectl::Waiting, "Waiting for 1 pods to be ready", P::InProgress},
      {"s-updating", S, {}, false,
       {{"replicas", 2}, {"readyReplicas", 2}, {"updatedReplicas", 1}, {"currentRevision", "r1"}, {"updateRevision", "r2"}},
       Kubectl::Waiting, "1 out of 2 new pods have been updated", P::InProgress},
      {"s-partition-reached", S, partition(1), false,
       {{"replicas", 2}, {"readyReplicas", 2}, {"updatedReplicas", 1}, {"currentRevision", "r1"}, {"updateRevision", "r2"}},
       Kubectl::Done, "partitioned roll out complete: 1 new pods", P::CannotComplete},
      {"s-partition-waiting", S, partition(1), false,
       {{"replicas", 2}, {"readyReplicas", 2}, {"updatedReplicas", 0}, {"currentRevision", "r1"}, {"updateRevision", "r2"}},
       Kubectl::Waiting, "Waiting for partitioned roll out to finish", P::CannotComplete},
      {"s-ondelete", S, on_delete, false,
       {{"replicas", 2}, {"readyReplicas", 2}, {"updatedReplicas", 0}, {"currentRevision", "r1"}, {"updateRevision", "r2"}},
       Kubectl::Error, "only available for RollingUpdate strategy type", P::CannotComplete},
      {"s-ondelete-replaced", S, on_delete, false,
       {{"replicas", 2}, {"readyReplicas", 2}, {"updatedReplicas", 2}, {"currentRevision", "r2"}, {"updateRevision", "r2"}},
       Kubectl::Error, "only available for RollingUpdate strategy type", P::Complete},
      // DaemonSet (2 nodes).
      {"ds-complete", DS, {}, false,
       {{"desiredNumberScheduled", 2}, {"updatedNumberScheduled", 2}, {"numberAvailable", 2}, {"currentNumberScheduled", 2},
        {"numberMisscheduled", 0}, {"numberReady", 2}},
       Kubectl::Done, "successfully rolled out", P::Complete},
      {"ds-updating", DS, {}, false,
       {{"desiredNumberScheduled", 2}, {"updatedNumberScheduled", 1}, {"numberAvailable", 2}, {"currentNumberScheduled", 2},
        {"numberMisscheduled", 0}, {"numberReady", 2}},
       Kubectl::Waiting, "1 out of 2 new pods have been updated", P::InProgress},
      {"ds-unavailable", DS, {}, false,
       {{"desiredNumberScheduled", 2}, {"updatedNumberScheduled", 2}, {"numberAvailable", 1}, {"currentNumberScheduled", 2},
        {"numberMisscheduled", 0}, {"numberReady", 1}},
       Kubectl::Waiting, "1 of 2 updated pods are available", P::InProgress},
      {"ds-unobserved", DS, {}, true,
       {{"observedGeneration", 1}, {"desiredNumberScheduled", 2}, {"updatedNumberScheduled", 2}, {"numberAvailable", 2},
        {"currentNumberScheduled", 2}, {"numberMisscheduled", 0}, {"numberReady", 2}},
       Kubectl::Waiting, "spec update to be observed", P::InProgress},
      {"ds-ondelete", DS, on_delete, false,
       {{"desiredNumberScheduled", 2}, {"updatedNumberScheduled", 0}, {"numberAvailable", 2}, {"currentNumberScheduled", 2},
        {"numberMisscheduled", 0}, {"numberReady", 2}},
       Kubectl::Error, "only available for RollingUpdate strategy type", P::CannotComplete},
  };
}

json Workload(const Row& row) {
  json w = row.kind == WorkloadKind::Deployment ? MakeDeployment(row.name, "keys", SecretUse::kEnvFrom)
           : row.kind == WorkloadKind::StatefulSet ? MakeStatefulSet(row.name, "keys", SecretUse::kEnvFrom)
                                                   : MakeDaemonSet(row.name, "keys", SecretUse::kEnvFrom);
  if (row.spec_patch.is_object()) w["spec"].merge_patch(row.spec_patch);
  return w;
}

struct KubectlRun {
  int exit_code = -1;
  std::string output;
};

KubectlRun RolloutStatus(const TestCluster& cluster, const Row& row) {
  std::string kind(rotation::KindName(row.kind));
  std::transform(kind.begin(), kind.end(), kind.begin(), ::tolower);
  std::string log = cluster.temp_dir().File("kubectl-" + row.name + ".log");
  Process p({{"/usr/bin/kubectl", "--kubeconfig", cluster.kubeconfig_path(), "--request-timeout", "20s", "-n",
              cluster.namespace_name(), "rollout", "status", "--watch=false", kind + "/" + row.name},
             {{"HOME", cluster.temp_dir().path()}},
             log});
  auto status = p.Wait(std::chrono::seconds(60));
  KubectlRun r;
  r.output = p.Output();
  if (status && WIFEXITED(*status)) r.exit_code = WEXITSTATUS(*status);
  return r;
}

TEST(RolloutOracle, KeyrollJudgesEveryKindAsKubectlRolloutStatusDoes) {
  TestCluster cluster;
  if (!cluster.is_fake())
    GTEST_SKIP() << "a real cluster's workload controllers rewrite the status each row writes";
  auto& c = cluster.client();
  const std::string& ns = cluster.namespace_name();
  int rows = 0;
  for (const Row& row : Rows()) {
    SCOPED_TRACE(row.name);
    const kube::ResourceRef& resource = controller::ResourceOf(row.kind);
    json created = CreateObject(c, resource, ns, Workload(row));
    if (row.bump_generation) {
      auto patched = c.MergePatch(resource, ns, row.name,
                                  {{"spec", {{"template", {{"metadata", {{"annotations", {{"x", "2"}}}}}}}}}});
      ASSERT_TRUE(patched.ok()) << patched.error().ToString();
      created = *patched;
    }
    json status = row.status;
    if (!status.contains("observedGeneration")) status["observedGeneration"] = created["metadata"]["generation"];
    json body = created;
    body["status"] = status;
    auto written = c.UpdateStatus(resource, ns, body);
    ASSERT_TRUE(written.ok()) << written.error().ToString();

    KubectlRun k = RolloutStatus(cluster, row);
    Kubectl verdict = k.exit_code != 0 ? Kubectl::Error
                      : k.output.find("aiting") != std::string::npos ? Kubectl::Waiting
                                                                     : Kubectl::Done;
    auto fresh = c.Get(resource, ns, row.name);
    ASSERT_TRUE(fresh.ok());
    auto observed = controller::ObserveWorkload(controller::ProjectWorkload(*fresh), row.kind,
                                                rotation::ConsumerSource::Declared);
    rotation::RolloutVerdict keyroll = rotation::JudgeRollout(observed);
    std::string said = k.output.substr(0, k.output.find_last_not_of("\n") + 1);
    std::cout << "  " << row.name << ": kubectl " << ToString(verdict) << " (exit " << k.exit_code << ", \"" << said
              << "\") | keyroll " << ToString(keyroll.progress)
              << (keyroll.message.empty() ? "" : " (" + keyroll.message + ")") << "\n";
    EXPECT_EQ(verdict, row.kubectl) << k.output;
    EXPECT_NE(k.output.find(row.kubectl_says), std::string::npos) << k.output;
    EXPECT_EQ(keyroll.progress, row.keyroll) << keyroll.message;
    ++rows;
  }
  EXPECT_EQ(rows, 19);
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::testing
