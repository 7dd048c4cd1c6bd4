// cli_run: runs kubectl-keyroll (directly, or as `kubectl keyroll` with the plugin on PATH)
// as a process and keeps what it printed; every output also goes to the suite artifacts,
// so the whole-suite secrecy scan reads everything the CLI printed in tests.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/support/cluster.h"
#include "tests/support/e2e_environment.h"
#include "tests/support/temp_dir.h"

namespace keyroll::testing {

struct CliRun {
  int exit_code = -1;           // -1: did not exit by itself in time
  std::string output;           // stdout and stderr together
  nlohmann::json Json() const;  // the output parsed (throws when it is not JSON)
};

// E2E options without the operator process (states built by hand).
E2EOptions NoOperator();

std::string CliBinary();  // build/cli/kubectl-keyroll

// `kubectl-keyroll ARGS --kubeconfig K -n NS` (no -n when args hold -A or --namespace).
CliRun RunCli(const TestCluster& cluster, std::vector<std::string> args, int timeout_seconds = 60);
// The same through the real kubectl, with the plugin's directory first on PATH.
CliRun RunKubectlPlugin(const TestCluster& cluster, std::vector<std::string> args);
// Any kubectl command with the plugin's directory first on PATH (no kubeconfig flags).
CliRun RunKubectl(std::vector<std::string> args);
// Any argv (the kubeconfig flags are the caller's).
CliRun RunProcess(std::vector<std::string> argv, std::map<std::string, std::string> env, int timeout_seconds);

}  // namespace keyroll::testing
