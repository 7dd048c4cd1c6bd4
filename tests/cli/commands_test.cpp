// kubectl-keyroll as a process against the fake API server, the QStash fake and the real
// operator: status (directly and as a kubectl plugin), rotate --wait in each of its three
// outcomes, and bad input as one line with its exit code.
#include <gtest/gtest.h>

#include "cli/errors.h"
#include "tests/cli/cli_run.h"
#include "tests/support/e2e_environment.h"
#include "tests/support/process.h"

namespace keyroll::testing {
namespace {
namespace KEYROLL_UNITY_ID {

using namespace keyroll::cli;
constexpr const char* kSecret = "qstash-signing-keys";

// One SigningKeyRotation "payments" with consumer "api", Ready.
void ReadyPayments(E2EEnvironment& env, const json& rotation_spec = json::object()) {
  env.CreateDeployment(MakeDeployment("api", kSecret, SecretUse::kEnvFrom));
  json skr = MakeQStashSkr("payments", env.qstash_url(), kSecret, {"api"});
  skr["spec"]["rotation"].update(rotation_spec);
  env.CreateSkr(skr);
  json got = env.WaitSkr("payments", IsReadyAndSynced);
  ASSERT_TRUE(IsReadyAndSynced(got)) << ConditionSummary(got);
}

size_t Lines(const std::string& s) { return std::count(s.begin(), s.end(), '\n'); }

// Bad input: exactly one line, this exit code, saying this.
void ExpectOneLineError(const CliRun& run, int exit_code, const std::string& says) {
  EXPECT_EQ(run.exit_code, exit_code) << run.output;
  EXPECT_EQ(Lines(run.output), 1u) << run.output;
  EXPECT_NE(run.output.find(says), std::string::npos) << run.output;
}

TEST(CliStatus, ShowsPhaseFingerprintsAndConsumers) {
  KEYROLL_E2E_REQUIRE_OPERATOR();
  E2EEnvironment env;
  ReadyPayments(env, {{"schedule", "0 3 * * 1"}, {"timeZone", "Europe/Berlin"}, {"maxKeyAge", "720h"}});
  json skr =
      env.WaitSkr("payments", [](const json& s) { return StrAt(s, "/status/consumersReady") == "1/1"; });
  const std::string current = StrAt(skr, "/status/keys/currentFingerprint");

  CliRun table = RunCli(env.cluster(), {"status"});
  ASSERT_EQ(table.exit_code, kExitOk) << table.output;
  EXPECT_NE(table.output.find("NAME"), std::string::npos) << table.output;
  EXPECT_NE(table.output.find("payments"), std::string::npos);
  EXPECT_NE(table.output.find("Ready"), std::string::npos);
  EXPECT_NE(table.output.find(current), std::string::npos);
  EXPECT_NE(table.output.find("/ 720h"), std::string::npos) << table.output;
  EXPECT_NE(table.output.find("CET"), std::string::npos)
      << "next rotation in the schedule's zone: " << table.output;
  EXPECT_NE(table.output.find("1/1"), std::string::npos);
  EXPECT_EQ(table.output.find("\033["), std::string::npos) << "no colour when not on a terminal";

  CliRun js = RunCli(env.cluster(), {"status", "payments", "-o", "json"});
  ASSERT_EQ(js.exit_code, kExitOk) << js.output;
  json item = js.Json().at(0);
  EXPECT_EQ(item["phase"], "Ready");
  EXPECT_EQ(item["currentFingerprint"], current);
  EXPECT_EQ(item["consumersReady"], "1/1");
  EXPECT_EQ(item["reason"], "");

  CliRun all = RunCli(env.cluster(), {"status", "-A", "-o", "wide"});
  ASSERT_EQ(all.exit_code, kExitOk) << all.output;
  EXPECT_NE(all.output.find(env.ns()), std::string::npos) << all.output;
  EXPECT_NE(all.output.find("KEYS HASH"), std::string::npos);
}

TEST(CliStatus, RunsAsAKubectlPluginFoundOnPath) {
  KEYROLL_E2E_REQUIRE_OPERATOR();
  E2EEnvironment env;
  ReadyPayments(env);
  CliRun run = RunKubectlPlugin(env.cluster(), {"status"});
  ASSERT_EQ(run.exit_code, kExitOk) << run.output;
  EXPECT_NE(run.output.find("payments"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("Ready"), std::string::npos) << run.output;
  CliRun missing = RunKubectlPlugin(env.cluster(), {"status", "nope"});
  EXPECT_EQ(missing.exit_code, kExitNotFound) << missing.output;
}

TEST(CliStatus, NotReadyResourceSaysWhyInAFewWords) {
  KEYROLL_E2E_REQUIRE_OPERATOR();
  E2EEnvironment env;
  json skr = MakeQStashSkr("payments", env.qstash_url(), kSecret, {"ghost"});
  env.CreateSkr(skr);
  env.WaitSkr("payments",
              [](const json& s) { return HasCondition(s, "RotationAllowed", "False", "ConsumerNotFound"); });
  CliRun run = RunCli(env.cluster(), {"status", "payments", "-o", "json"});
  ASSERT_EQ(run.exit_code, kExitOk) << run.output;
  std::string reason = run.Json().at(0)["reason"];
  EXPECT_NE(reason.find("ghost"), std::string::npos) << reason;
}

TEST(CliErrors, BadInputIsOneLineAndItsExitCode) {
  KEYROLL_E2E_REQUIRE_OPERATOR();
  E2EEnvironment env(NoOperator());
  CliRun missing = RunCli(env.cluster(), {"why", "nope"});
  ExpectOneLineError(missing, kExitNotFound, "\"nope\" in namespace");

  CliRun context = RunCli(env.cluster(), {"status", "--context", "no-such-context"});
  ExpectOneLineError(context, kExitNoCluster, "context 'no-such-context' not found");

  CliRun usage = RunCli(env.cluster(), {"rotate"});
  ExpectOneLineError(usage, kExitUsage, "NAME is required");

  // A kubeconfig whose server does not answer: no cluster.
  TempDir dir;
  int port = FreePort();
  std::string kc = dir.Write(
      "kubeconfig",
      "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: {server: 'https://127.0.0.1:" +
          std::to_string(port) +
          "', insecure-skip-tls-verify: true}\nusers:\n- name: u\n  user: {token: t}\n"
          "contexts:\n- name: x\n  context: {cluster: c, user: u, namespace: default}\ncurrent-context: x\n");
  CliRun down = RunProcess({CliBinary(), "status", "--kubeconfig", kc}, {}, 60);
  ExpectOneLineError(down, kExitNoCluster, "error: cannot reach the cluster");

  CliRun no_config = RunProcess({CliBinary(), "status", "--kubeconfig", dir.File("absent")}, {}, 60);
  ExpectOneLineError(no_config, kExitNoCluster, "error: no cluster configuration");
}

TEST(CliMisc, VersionAndACompletionScriptBashAccepts) {
  CliRun version = RunProcess({CliBinary(), "version"}, {}, 30);
  EXPECT_EQ(version.exit_code, kExitOk);
  EXPECT_EQ(version.output.rfind("kubectl-keyroll ", 0), 0u) << version.output;
  CliRun bash = RunProcess(
      {"/bin/bash", "-c", "source <('" + CliBinary() + "' completion bash) && complete -p kubectl-keyroll"},
      {}, 30);
  EXPECT_EQ(bash.exit_code, 0) << bash.output;
  EXPECT_NE(bash.output.find("_kubectl_keyroll"), std::string::npos) << bash.output;
  CliRun fish = RunProcess({CliBinary(), "completion", "fish"}, {}, 30);
  EXPECT_EQ(fish.exit_code, kExitUsage) << fish.output;
}

// kubectl (1.26+) completes `kubectl keyroll ...` through kubectl_complete-keyroll on PATH.
TEST(CliMisc, KubectlCompletesThePluginsCommandsAndFlags) {
  CliRun commands = RunKubectl({"__complete", "keyroll", ""});
  EXPECT_EQ(commands.exit_code, 0) << commands.output;
  EXPECT_NE(commands.output.find("status\nwhy\nrotate\n"), std::string::npos) << commands.output;
  EXPECT_NE(commands.output.find("ShellCompDirectiveNoFileComp"), std::string::npos) << commands.output;
  CliRun flags = RunKubectl({"__complete", "keyroll", "rotate", "payments", "--wa"});
  EXPECT_NE(flags.output.find("--wait\n:4"), std::string::npos) << flags.output;
}

TEST(CliErrors, NoCrdSaysSo) {
  TestCluster cluster;  // a namespace, no keyroll CRD
  CliRun run = RunCli(cluster, {"status"});
  ExpectOneLineError(run, kExitNotFound, "is keyroll's CRD installed?");
}

// A user who may read SigningKeyRotations but neither patch them nor read Secrets.
TEST(CliErrors, NoPermissionIsOneLineAndExitFour) {
  KEYROLL_E2E_REQUIRE_OPERATOR();
  TempDir dir;
  std::string authz = dir.Write("authz.yaml", R"(users:
  viewer:
    rules:
    - {apiGroups: [keyroll.dev], resources: [signingkeyrotations], verbs: [get, list]}
)");
  E2EOptions options = NoOperator();
  options.cluster.fake_args = {"--token", "viewer-token-cli:viewer", "--authz", authz};
  E2EEnvironment env(options);
  env.CreateSkr(MakeQStashSkr("payments", env.qstash_url(), kSecret));
  std::string kc = env.cluster().WriteKubeconfig("viewer.kubeconfig", "    token: viewer-token-cli\n");
  auto as_viewer = [&](std::vector<std::string> args) {
    std::vector<std::string> argv = {CliBinary()};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.insert(argv.end(), {"--kubeconfig", kc, "-n", env.ns()});
    return RunProcess(argv, {}, 60);
  };
  CliRun status = as_viewer({"status"});
  EXPECT_EQ(status.exit_code, kExitOk) << status.output;
  CliRun rotate = as_viewer({"rotate", "payments"});
  ExpectOneLineError(rotate, kExitForbidden, "error: forbidden: ");
  CliRun why = as_viewer({"why", "payments"});
  ExpectOneLineError(why, kExitForbidden, "secrets");
}

TEST(CliRotate, WaitEndsRotated) {
  KEYROLL_E2E_REQUIRE_OPERATOR();
  E2EEnvironment env;
  ReadyPayments(env);
  auto before = env.account();
  CliRun run = RunCli(env.cluster(), {"rotate", "payments", "--wait", "--timeout", "60"}, 90);
  ASSERT_EQ(run.exit_code, kExitOk) << run.output;
  EXPECT_NE(run.output.find("rotated: keys rotated"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("Rotated"), std::string::npos) << "the Rotated event is followed: " << run.output;
  EXPECT_EQ(env.account().rotations, before.rotations + 1);
  json skr = env.Skr("payments");
  EXPECT_EQ(skr["status"]["rotationCount"], 1);
  EXPECT_EQ(StrAt(skr, "/metadata/annotations/keyroll.dev~1rotate-request"),
            StrAt(skr, "/status/lastHandledRotateRequest"));
}

TEST(CliRotate, WaitEndsHeldWithThePolicyThatHoldsIt) {
  KEYROLL_E2E_REQUIRE_OPERATOR();
  E2EEnvironment env;
  KEYROLL_SKIP_UNLESS_SIMULATED_ROLLOUTS(env, "a rollout held back (Hold)");
  ReadyPayments(env, {{"suspend", true}});
  env.WaitSkr("payments",
              [](const json& s) { return HasCondition(s, "RotationAllowed", "False", "Suspended"); });
  CliRun run = RunCli(env.cluster(), {"rotate", "payments", "--wait", "--timeout", "30"}, 60);
  EXPECT_EQ(run.exit_code, kExitHeld) << run.output;
  EXPECT_NE(run.output.find("held: Suspended"), std::string::npos) << run.output;
  EXPECT_EQ(env.account().rotations, 0);

  // A hold that may clear by itself (a consumer rolling out) is held only at the deadline.
  PatchSkr(env.kube(), env.ns(), "payments", {{"spec", {{"rotation", {{"suspend", false}}}}}});
  env.WaitSkr("payments",
              [](const json& s) { return IsReadyAndSynced(s) && s["status"]["rotationCount"] == 1; });
  env.workloads().Hold("api");
  RequestRotation(env.kube(), env.ns(), "payments", "second");
  env.WaitSkr("payments",
              [](const json& s) { return HasCondition(s, "RotationAllowed", "False", "ConsumerStale"); });
  CliRun stale = RunCli(env.cluster(), {"rotate", "payments", "--wait", "--timeout", "3"}, 60);
  EXPECT_EQ(stale.exit_code, kExitHeld) << stale.output;
  EXPECT_NE(stale.output.find("held: ConsumerStale"), std::string::npos) << stale.output;
}

TEST(CliRotate, WaitEndsFailedWhenTheProviderRefusesTheRotation) {
  KEYROLL_E2E_REQUIRE_OPERATOR();
  E2EEnvironment env;
  ReadyPayments(env);
  fakes::Fault f;
  f.kind = fakes::FaultKind::kStatus;
  f.op = fakes::FaultOp::kRotate;
  f.status = 503;
  env.qstash().InjectFault(f);
  CliRun run = RunCli(env.cluster(), {"rotate", "payments", "--wait", "--timeout", "60"}, 90);
  EXPECT_EQ(run.exit_code, kExitFailed) << run.output;
  EXPECT_NE(run.output.find("failed: RotationFailed"), std::string::npos) << run.output;
}

TEST(CliRotate, WithoutWaitOnlyRequests) {
  KEYROLL_E2E_REQUIRE_OPERATOR();
  E2EEnvironment env(NoOperator());
  env.CreateSkr(MakeQStashSkr("payments", env.qstash_url(), kSecret));
  CliRun run = RunCli(env.cluster(), {"rotate", "payments"});
  ASSERT_EQ(run.exit_code, kExitOk) << run.output;
  std::string value = StrAt(env.Skr("payments"), "/metadata/annotations/keyroll.dev~1rotate-request");
  EXPECT_FALSE(value.empty());
  EXPECT_NE(run.output.find(value), std::string::npos) << run.output;

  // An invalid spec: nothing is requested (a request would only wait). One the CRD's schema
  // admits (five fields) and only keyroll refuses: minute 61.
  json broken = MakeQStashSkr("broken", env.qstash_url(), "other-keys");
  broken["spec"]["rotation"]["schedule"] = "61 3 * * *";
  env.CreateSkr(broken);
  ExpectOneLineError(RunCli(env.cluster(), {"rotate", "broken", "--wait"}), kExitFailed,
                     "not requested: the spec is invalid: spec.rotation.schedule");
  EXPECT_EQ(StrAt(env.Skr("broken"), "/metadata/annotations/keyroll.dev~1rotate-request"), "");
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::testing
