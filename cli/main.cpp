// kubectl-keyroll: the command-line tool for keyroll (a kubectl plugin: `kubectl keyroll`).
// Flags and wiring only; each command lives in its own *_cmd file. Every failure is one
// line on stderr and a documented exit code (errors.h).
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/check_cmd.h"
#include "cli/colour.h"
#include "cli/completion.h"
#include "cli/errors.h"
#include "cli/inspect_cmd.h"
#include "cli/rotate_cmd.h"
#include "cli/session.h"
#include "cli/status_cmd.h"
#include "cli/verify_cmd.h"
#include "cli/why_cmd.h"

namespace {

constexpr const char* kExitCodes =
    "Exit codes: 0 ok, 1 error, 2 usage, 3 not found, 4 forbidden, 5 no cluster, "
    "6 rotation held, 7 rotation failed, 8 timed out, 9 delivery rejected.";

}  // namespace

int main(int argc, char** argv) {
  using namespace keyroll::cli;
  // Hidden, before parsing (its words are partial flags): kubectl's plugin completion
  // (cli/kubectl_complete-keyroll) asks this.
  if (argc >= 2 && std::string_view(argv[1]) == "__complete")
    return std::cout << CompleteWords(std::vector<std::string>(argv + 2, argv + argc)), kExitOk;
  CLI::App app{"kubectl keyroll: look at and operate keyroll's SigningKeyRotations", "kubectl-keyroll"};
  app.footer(kExitCodes);
  app.require_subcommand(1);
  app.fallthrough();  // kubectl's flags may follow the subcommand, as kubectl allows

  GlobalOptions g;
  app.add_option("--kubeconfig", g.kubeconfig, "Path to the kubeconfig file");
  app.add_option("--context", g.context, "The kubeconfig context to use");
  app.add_option("-n,--namespace", g.ns, "The namespace (default: the context's)");
  app.add_flag("-A,--all-namespaces", g.all_namespaces, "status: list every namespace");
  app.add_option("-o,--output", g.output, "table|wide|json|yaml")
      ->check(CLI::IsMember({"table", "wide", "json", "yaml"}));

  std::string name;
  auto* status =
      app.add_subcommand("status", "One line per SigningKeyRotation: phase, keys, rotations, consumers");
  status->add_option("NAME", name, "A SigningKeyRotation (default: all in the namespace)");
  auto* why = app.add_subcommand(
      "why", "The rotation gate on the cluster's state: each policy, the verdict, next steps");
  why->add_option("NAME", name)->required();
  WhyOptions wo;
  why->add_flag("--read-provider", wo.read_provider,
                "Read the provider's keys now with the resource's credential Secret");
  why->add_option("--provider-ca-file", wo.provider_ca_file, "Extra CA bundle for the provider's HTTPS");
  RotateOptions ro;
  int timeout_s = 300;
  auto* rotate = app.add_subcommand("rotate", "Request one rotation (keyroll.dev/rotate-request)");
  rotate->add_option("NAME", name)->required();
  rotate->add_flag("--wait", ro.wait, "Follow status and events until rotated, held or failed");
  rotate->add_option("--timeout", timeout_s, "Seconds to wait (default 300)")->check(CLI::PositiveNumber);
  auto* inspect = app.add_subcommand(
      "inspect", "The Secret's fingerprints, each consumer's keys-hash and rollout, recent events");
  inspect->add_option("NAME", name)->required();
  CheckOptions co;
  auto* check = app.add_subcommand("check", "CRD installed, operator running, what you may do");
  check->add_option("--operator-namespace", co.operator_namespace,
                    "Where the operator runs (default: found by label)");
  check->add_option("--lease-name", co.lease_name,
                    "The operator's --leader-election-id (default keyroll-leader)");
  VerifyOptions vo;
  auto* verify =
      app.add_subcommand("verify", "Check a QStash delivery's signature against the keys in the Secret");
  verify->add_option("NAME", name)->required();
  verify->add_option("--signature", vo.signature, "The Upstash-Signature header value")->required();
  verify->add_option("--body", vo.body_file, "File with the exact request body ('-': stdin)")->required();
  verify->add_option("--url", vo.url, "The URL the delivery was sent to (checked against the sub claim)");
  std::string shell;
  auto* completion = app.add_subcommand("completion", "Shell completion script");
  completion->add_option("SHELL", shell, "bash|zsh")->required()->check(CLI::IsMember({"bash", "zsh"}));
  auto* version = app.add_subcommand("version", "Print the version");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "error: " << e.what() << " (see kubectl keyroll --help)\n";
    return kExitUsage;
  }
  SetColour(ColourWanted());
  // The libraries log for an operator; a CLI says what went wrong in its one error line.
  spdlog::set_level(spdlog::level::off);
  ro.timeout = std::chrono::seconds(timeout_s);
  try {
    if (*status) return RunStatus(g, name, std::cout);
    if (*why) return RunWhy(g, name, wo, std::cout);
    if (*inspect) return RunInspect(g, name, std::cout);
    if (*check) return RunCheck(g, co, std::cout);
    if (*rotate) return RunRotate(g, name, ro, std::cout);
    if (*verify) return RunVerify(g, name, vo, std::cout);
    if (*completion) return std::cout << *CompletionScript(shell), kExitOk;
    if (*version) return std::cout << "kubectl-keyroll " << KEYROLL_VERSION << "\n", kExitOk;
  } catch (const CliError& e) {
    std::cout.flush();
    std::cerr << "error: " << e.what() << "\n";
    return e.code;
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return kExitError;
  }
  return kExitUsage;
}
