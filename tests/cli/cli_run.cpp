// cli_run.cpp — see cli_run.h.
#include "tests/cli/cli_run.h"

#include <sys/wait.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>

#include "tests/support/process.h"
#include "tests/support/suite_artifacts.h"

namespace keyroll::testing {

nlohmann::json CliRun::Json() const { return nlohmann::json::parse(output); }

E2EOptions NoOperator() {
  E2EOptions o;
  o.start_operator = false;
  return o;
}

std::string CliBinary() { return std::string(KEYROLL_BINARY_DIR) + "/cli/kubectl-keyroll"; }

CliRun RunProcess(std::vector<std::string> argv, std::map<std::string, std::string> env,
                  int timeout_seconds) {
  static TempDir dir;
  static std::atomic<int> n{0};
  std::string log = dir.File("cli-" + std::to_string(++n) + ".log");
  Process p({argv, std::move(env), log});
  auto status = p.Wait(std::chrono::seconds(timeout_seconds));
  CliRun r;
  r.output = p.Output();
  if (status && WIFEXITED(*status)) r.exit_code = WEXITSTATUS(*status);
  std::string command;
  for (const auto& a : argv) command += a + " ";
  SaveSuiteArtifact("cli-output",
                    "$ " + command + "\n" + r.output + "\n[exit " + std::to_string(r.exit_code) + "]\n");
  return r;
}

namespace {

std::vector<std::string> WithCluster(const TestCluster& cluster, std::vector<std::string> args) {
  bool has_ns = std::any_of(args.begin(), args.end(), [](const std::string& a) {
    return a == "-A" || a == "-n" || a == "--namespace" || a == "--all-namespaces";
  });
  args.insert(args.end(), {"--kubeconfig", cluster.kubeconfig_path()});
  if (!has_ns) args.insert(args.end(), {"-n", cluster.namespace_name()});
  return args;
}

}  // namespace

CliRun RunCli(const TestCluster& cluster, std::vector<std::string> args, int timeout_seconds) {
  std::vector<std::string> argv = {CliBinary()};
  for (auto& a : WithCluster(cluster, std::move(args))) argv.push_back(std::move(a));
  return RunProcess(argv, {}, timeout_seconds);
}

CliRun RunKubectl(std::vector<std::string> args) {
  std::string kubectl =
      std::filesystem::exists("/usr/local/bin/kubectl") ? "/usr/local/bin/kubectl" : "/usr/bin/kubectl";
  args.insert(args.begin(), kubectl);
  const char* path = std::getenv("PATH");
  std::string plugin_dir = std::filesystem::path(CliBinary()).parent_path();
  return RunProcess(args, {{"PATH", plugin_dir + ":" + (path ? path : "/usr/bin:/bin")}}, 60);
}

CliRun RunKubectlPlugin(const TestCluster& cluster, std::vector<std::string> args) {
  std::vector<std::string> argv = {"keyroll"};
  for (auto& a : WithCluster(cluster, std::move(args))) argv.push_back(std::move(a));
  return RunKubectl(argv);
}

}  // namespace keyroll::testing
