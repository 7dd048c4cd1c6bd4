// script_vs_keyroll: scenario 5 of issue 7 — what users do today (a CronJob running a
// bash loop: curl the QStash keys, `kubectl create secret --dry-run=client -o yaml | kubectl
// apply -f -`) beside keyroll, for the same --resources accounts, in one run:
//  - the script: --runs runs over all resources (to Secrets "<name>-script"); wall time and
//    CPU seconds of the script and everything it started (RUSAGE_CHILDREN);
//  - keyroll, cold: --runs times the resources are created afresh and keyroll started; wall
//    time from process start until every one is Ready, and keyroll's CPU seconds until then
//    (start-up included);
//  - keyroll, steady: with refreshInterval --refresh-seconds, --cycles refresh cycles of all
//    resources: keyroll's CPU seconds per cycle, provider reads and API writes.
// Not a test: run by hand (tests/bench/run-script-vs-keyroll); prints tables.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <spdlog/spdlog.h>

#include "tests/bench/bench_resources.h"
#include "tests/bench/bench_stats.h"
#include "tests/bench/first_seen.h"
#include "tests/bench/proc_stats.h"
#include "tests/support/e2e_environment.h"
#include "tests/support/wait.h"

namespace keyroll::bench {
namespace {

using testing::json;
namespace res = kube::resources;

struct Options {
  int resources = 100;
  int runs = 3;
  int refresh_seconds = 30;
  int cycles = 3;
};

const char* kScript = R"(#!/bin/bash
# What a CronJob would run: one sync of every listed resource.
set -euo pipefail
while read -r name token; do
  keys=$(curl -sS --fail --cacert "$QSTASH_CA" -H "Authorization: Bearer $token" "$QSTASH_URL/v2/keys")
  current=$(jq -r .current <<<"$keys")
  next=$(jq -r .next <<<"$keys")
  kubectl --kubeconfig "$KUBECONFIG" -n "$NS" create secret generic "$name-script" \
    --from-literal=QSTASH_CURRENT_SIGNING_KEY="$current" --from-literal=QSTASH_NEXT_SIGNING_KEY="$next" \
    --dry-run=client -o yaml | kubectl --kubeconfig "$KUBECONFIG" apply -f - >/dev/null
done < "$LIST"
)";

double Seconds(const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; }
double ChildrenCpu() {
  rusage u{};
  getrusage(RUSAGE_CHILDREN, &u);
  return Seconds(u.ru_utime) + Seconds(u.ru_stime);
}

struct Run {
  double wall = 0, cpu = 0;
};

Run RunScript(const std::string& script, const std::map<std::string, std::string>& env) {
  const double cpu0 = ChildrenCpu();
  auto t0 = Clock::now();
  pid_t pid = fork();
  if (pid == 0) {
    for (const auto& [k, v] : env) setenv(k.c_str(), v.c_str(), 1);
    execl("/bin/bash", "bash", script.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  Run r{MillisBetween(t0, Clock::now()) / 1000.0, ChildrenCpu() - cpu0};
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) throw std::runtime_error("the script failed");
  return r;
}

std::vector<std::string> Names(int n) {
  std::vector<std::string> v;
  for (int i = 0; i < n; ++i) v.push_back("sync-" + std::to_string(i));
  return v;
}

int Main(const Options& o) {
  testing::E2EOptions eo;
  eo.start_operator = false;
  eo.simulate_workloads = false;  // no Deployments here: its polling would only add load
  testing::E2EEnvironment env(eo);
  std::string ca_file = env.cluster().temp_dir().Write("bench-qstash-ca.crt", env.qstash().ca_cert_pem());
  auto names = Names(o.resources);
  std::vector<BenchResource> resources;
  std::string list;
  for (const auto& n : names) {
    resources.push_back(NewBenchResource(env, n, env.ns()));
    resources.back().skr["spec"]["refreshInterval"] = std::to_string(o.refresh_seconds) + "s";
    list += n + " " + resources.back().token + "\n";
  }
  std::string list_file = env.cluster().temp_dir().Write("accounts.txt", list);
  std::string script = env.cluster().temp_dir().Write("sync.sh", kScript);
  std::map<std::string, std::string> script_env = {{"QSTASH_CA", ca_file}, {"QSTASH_URL", env.qstash_url()},
                                                   {"KUBECONFIG", env.cluster().kubeconfig_path()},
                                                   {"NS", env.ns()}, {"LIST", list_file}};
  std::printf("load before: ");
  std::fflush(stdout);
  std::system("uptime");

  std::vector<double> script_wall, script_cpu;
  for (int r = 0; r < o.runs; ++r) {
    Run run = RunScript(script, script_env);
    script_wall.push_back(run.wall);
    script_cpu.push_back(run.cpu);
  }
  for (size_t i = 0; i < names.size(); ++i) {  // the script did its job
    auto data = env.SecretData(names[i] + "-script");
    auto account = env.qstash().Account(resources[i].token);
    if (!data || !account || data->at("QSTASH_CURRENT_SIGNING_KEY") != account->current)
      throw std::runtime_error("the script's Secret " + names[i] + "-script does not hold the keys");
  }

  testing::ProcessOptions po;
  po.argv = {testing::BuiltBinary("keyroll"), "--kubeconfig", env.cluster().kubeconfig_path(), "--namespace",
             env.ns(), "--provider-ca-file", ca_file, "--log-format", "json", "--log-level", "info",
             "--metrics-bind-address", "127.0.0.1:0", "--health-probe-bind-address", "127.0.0.1:0"};
  std::vector<double> keyroll_wall, keyroll_cpu;
  std::unique_ptr<testing::Process> keyroll;
  for (int r = 0; r < o.runs; ++r) {
    if (keyroll) keyroll->Stop();
    keyroll.reset();
    for (const auto& n : names) (void)env.kube().Delete(res::kSigningKeyRotations, env.ns(), n);
    if (!testing::WaitUntil([&] {
          for (const auto& n : names)
            if (env.SecretData(n + "-keys")) return false;  // garbage collection of the last run's
          return true;
        }, std::chrono::seconds(60), std::chrono::milliseconds(100)))
      throw std::runtime_error("the previous run's Secrets were not collected");
    for (auto& br : resources) env.CreateSkr(br.skr);
    FirstSeen ready(env.cluster().config(), res::kSigningKeyRotations, env.ns(),
                    [](const kube::WatchEvent& e) { return testing::IsReadyAndSynced(e.object); });
    std::this_thread::sleep_for(std::chrono::milliseconds(500));  // the watch is open
    po.log_path = env.cluster().temp_dir().path() + "/bench-keyroll-" + std::to_string(r) + ".log";
    auto t0 = Clock::now();
    keyroll = std::make_unique<testing::Process>(po);
    double cpu = 0;
    if (!testing::WaitUntil([&] {
          cpu = CpuSeconds(keyroll->pid());  // read while polling: the last value before all Ready
          return static_cast<int>(ready.Count()) >= o.resources;
        }, std::chrono::seconds(120), std::chrono::milliseconds(20)))
      throw std::runtime_error("keyroll did not sync every resource; log " + po.log_path);
    keyroll_wall.push_back(MillisBetween(t0, *ready.Last()) / 1000.0);
    keyroll_cpu.push_back(cpu);
  }

  // Steady state: the refresh cycles of the last process.
  std::this_thread::sleep_for(std::chrono::seconds(2));
  int64_t gets0 = 0;
  for (const auto& br : resources) gets0 += env.qstash().Account(br.token)->requests["get_keys"];
  env.cluster().Control("stats/reset");
  const double cpu0 = CpuSeconds(keyroll->pid());
  std::this_thread::sleep_for(std::chrono::seconds(o.refresh_seconds * o.cycles));
  const double cycle_cpu = (CpuSeconds(keyroll->pid()) - cpu0) / o.cycles;
  int64_t gets = -gets0;
  for (const auto& br : resources) gets += env.qstash().Account(br.token)->requests["get_keys"];
  json stats = env.cluster().Stats();
  // keyroll's own writes (its User-Agent), not the harness's or a collector's.
  int64_t writes = 0;
  const json& mine = stats["by_user_agent"].contains("keyroll") ? stats["by_user_agent"]["keyroll"]["by_verb"] : json::object();
  for (const char* v : {"create", "update", "patch", "delete"}) writes += mine.value(v, int64_t{0});

  auto s_wall = Summarise(script_wall), s_cpu = Summarise(script_cpu);
  auto k_wall = Summarise(keyroll_wall), k_cpu = Summarise(keyroll_cpu);
  std::printf("\nscript_vs_keyroll: one sync of %d resources, %d runs each (seconds)\n\n", o.resources, o.runs);
  PrintHeader("measurement");
  PrintRow("script: wall time per sync of all", s_wall, "s ");
  PrintRow("script: CPU s per sync (bash, curl, jq, kubectl)", s_cpu, "s ");
  PrintRow("keyroll cold: start -> all Ready, wall", k_wall, "s ");
  PrintRow("keyroll cold: CPU s until all Ready", k_cpu, "s ");
  std::printf("\nkeyroll steady: refreshInterval %ds, %d cycles: %.3f CPU s per cycle of all %d resources, "
              "%lld QStash reads (%.2f per resource per cycle), %lld API writes by keyroll\n",
              o.refresh_seconds, o.cycles, cycle_cpu, o.resources, static_cast<long long>(gets),
              static_cast<double>(gets) / o.resources / o.cycles, static_cast<long long>(writes));
  std::printf("\nratio script CPU / keyroll cold CPU (medians):   %.0fx\n", s_cpu.median / k_cpu.median);
  std::printf("ratio script CPU / keyroll steady cycle CPU:     %.0fx\n", s_cpu.median / cycle_cpu);
  std::printf("ratio script wall / keyroll cold wall (medians): %.1fx\n", s_wall.median / k_wall.median);
  std::printf("load after: ");
  std::fflush(stdout);
  std::system("uptime");
  keyroll->Stop();
  return 0;
}

}  // namespace
}  // namespace keyroll::bench

int main(int argc, char** argv) {
  keyroll::bench::Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    int* target = a == "--resources" ? &o.resources : a == "--runs" ? &o.runs
                  : a == "--refresh-seconds" ? &o.refresh_seconds : a == "--cycles" ? &o.cycles : nullptr;
    if (!target || i + 1 >= argc) {
      std::fprintf(stderr, "usage: %s [--resources 100] [--runs 3] [--refresh-seconds 30] [--cycles 3]\n", argv[0]);
      return 2;
    }
    *target = std::atoi(argv[++i]);
  }
  if (o.resources < 1 || o.runs < 1 || o.refresh_seconds < 1 || o.cycles < 1) return 2;
  spdlog::set_level(spdlog::level::warn);
  try {
    return keyroll::bench::Main(o);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "script_vs_keyroll: %s\n", e.what());
    return 1;
  }
}
