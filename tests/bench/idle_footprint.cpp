// idle_footprint: keyroll's start-up time and idle memory. Sets up an E2EEnvironment without
// its operator (fake API server, CRD, QStash fake over TLS, token Secret), creates one
// SigningKeyRotation, lets a first keyroll process sync it, then starts keyroll --starts times
// and measures process start (fork) -> "probe server listening" log line -> /readyz 200
// (polled every 2 ms). The last process idles --idle-seconds, then VmRSS/VmHWM/Threads are read
// from /proc/PID/status. The same again with --resources resources in total: first in the
// running process after they were created and synced, then in a fresh process.
// Not a test: run by hand (tests/bench/run-idle-footprint); prints tables.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <spdlog/spdlog.h>

#include "tests/bench/bench_resources.h"
#include "tests/bench/bench_stats.h"
#include "tests/support/e2e_environment.h"
#include "tests/support/wait.h"

namespace keyroll::bench {
namespace {

using testing::json;
namespace res = kube::resources;

struct Options {
  int starts = 5;
  int resources = 100;
  int idle_seconds = 10;
};

// The port in {"msg": "probe server listening", "address": "127.0.0.1:PORT"}; 0 if not yet logged.
int ProbePort(const std::string& log) {
  std::istringstream in(log);
  for (std::string line; std::getline(in, line);) {
    auto j = json::parse(line, nullptr, false);
    if (!j.is_object() || j.value("msg", "") != "probe server listening") continue;
    std::string address = j.value("address", "");
    auto colon = address.rfind(':');
    return colon == std::string::npos ? 0 : std::atoi(address.c_str() + colon + 1);
  }
  return 0;
}

struct TimedStart {
  std::unique_ptr<testing::Process> process;
  double to_listening_ms = 0;
  double to_ready_ms = 0;
};

class Launcher {
 public:
  Launcher(testing::E2EEnvironment& env, std::string ca_file) : env_(env), ca_file_(std::move(ca_file)) {}

  // The same flags as the e2e harness (tests/support/e2e_operator.cpp), at log level info.
  TimedStart Start() {
    testing::ProcessOptions po;
    po.argv = {testing::BuiltBinary("keyroll"), "--kubeconfig", env_.cluster().kubeconfig_path(),
               "--namespace", env_.ns(), "--provider-ca-file", ca_file_, "--log-format", "json",
               "--log-level", "info", "--metrics-bind-address", "127.0.0.1:0",
               "--health-probe-bind-address", "127.0.0.1:0"};
    po.log_path = env_.cluster().temp_dir().path() + "/bench-keyroll-" + std::to_string(++count_) + ".log";
    TimedStart t;
    auto t0 = Clock::now();
    t.process = std::make_unique<testing::Process>(po);
    int port = 0;
    auto poll = std::chrono::milliseconds(2);
    if (!testing::WaitUntil([&] { return (port = ProbePort(t.process->Output())) != 0; },
                            std::chrono::seconds(30), poll)) {
      throw std::runtime_error("keyroll never logged its probe address; log:\n" + t.process->Output());
    }
    t.to_listening_ms = MillisBetween(t0, Clock::now());
    if (!testing::WaitUntil([&] { return testing::HttpGetLocal(port, "/readyz").status == 200; },
                            std::chrono::seconds(30), poll)) {
      throw std::runtime_error("keyroll /readyz never answered 200; log:\n" + t.process->Output());
    }
    t.to_ready_ms = MillisBetween(t0, Clock::now());
    return t;
  }

 private:
  testing::E2EEnvironment& env_;
  std::string ca_file_;
  int count_ = 0;
};

// "VmRSS:   12345 kB" -> 12345 (kB), or the plain number for "Threads:".
long StatusField(pid_t pid, const std::string& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(field + ":", 0) == 0) return std::atol(line.c_str() + field.size() + 1);
  }
  return -1;
}

void CreateResources(testing::E2EEnvironment& env, int from, int to) {
  for (int i = from; i <= to; ++i) {
    env.CreateSkr(NewBenchResource(env, "res-" + std::to_string(i), env.ns()).skr);
  }
}

bool AllReady(testing::E2EEnvironment& env, int expected) {
  return testing::WaitUntil([&] {
    auto list = env.kube().List(res::kSigningKeyRotations, env.ns());
    if (!list) return false;
    int ready = 0;
    for (const auto& skr : list->items) ready += testing::IsReadyAndSynced(skr) ? 1 : 0;
    return ready == expected;
  }, std::chrono::seconds(120), std::chrono::milliseconds(200));
}

struct Footprint {
  std::string what;
  long rss_kb, hwm_kb, threads;
};

Footprint IdleFootprint(const std::string& what, pid_t pid, int idle_seconds) {
  std::this_thread::sleep_for(std::chrono::seconds(idle_seconds));
  return {what, StatusField(pid, "VmRSS"), StatusField(pid, "VmHWM"), StatusField(pid, "Threads")};
}

// --starts measured starts with the resources as they are; the last process is returned running.
TimedStart MeasureStarts(Launcher& launcher, int starts, std::vector<double>& listening,
                         std::vector<double>& ready) {
  TimedStart last;
  for (int i = 0; i < starts; ++i) {
    if (last.process) last.process->Stop();
    last = launcher.Start();
    listening.push_back(last.to_listening_ms);
    ready.push_back(last.to_ready_ms);
  }
  return last;
}

int Run(const Options& o) {
  testing::E2EOptions eo;
  eo.start_operator = false;  // this program starts (and times) keyroll itself
  testing::E2EEnvironment env(eo);
  std::string ca_file = env.cluster().temp_dir().Write("bench-qstash-ca.crt", env.qstash().ca_cert_pem());
  Launcher launcher(env, ca_file);

  CreateResources(env, 1, 1);
  {
    auto first = launcher.Start();  // syncs the resource; not counted
    if (!AllReady(env, 1)) throw std::runtime_error("the first resource never became Ready");
    first.process->Stop();
  }
  std::vector<double> listen1, ready1, listen100, ready100;
  std::vector<Footprint> footprints;
  auto running = MeasureStarts(launcher, o.starts, listen1, ready1);
  footprints.push_back(IdleFootprint("1 resource", running.process->pid(), o.idle_seconds));

  CreateResources(env, 2, o.resources);
  if (!AllReady(env, o.resources)) throw std::runtime_error("not every resource became Ready within 120 s");
  std::string n = std::to_string(o.resources) + " resources";
  footprints.push_back(IdleFootprint(n + " (same process, synced them)", running.process->pid(), o.idle_seconds));
  running.process->Stop();
  running = MeasureStarts(launcher, o.starts, listen100, ready100);
  footprints.push_back(IdleFootprint(n + " (fresh process)", running.process->pid(), o.idle_seconds));
  running.process->Stop();

  std::printf("\nidle_footprint: keyroll start-up, %d starts each (process start -> ...)\n\n", o.starts);
  PrintHeader("measurement");
  PrintRow("1 resource: probe server listening (log)", Summarise(listen1));
  PrintRow("1 resource: /readyz 200", Summarise(ready1));
  PrintRow(n + ": probe server listening (log)", Summarise(listen100));
  PrintRow(n + ": /readyz 200", Summarise(ready100));
  std::printf("\nidle_footprint: memory after %d s idle (/proc/PID/status)\n\n", o.idle_seconds);
  std::printf("%-44s %10s %10s %8s\n", "state", "VmRSS", "VmHWM", "Threads");
  for (const auto& f : footprints) {
    std::printf("%-44s %7.1f MB %7.1f MB %8ld\n", f.what.c_str(), f.rss_kb / 1024.0, f.hwm_kb / 1024.0, f.threads);
  }
  return 0;
}

}  // namespace
}  // namespace keyroll::bench

int main(int argc, char** argv) {
  keyroll::bench::Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    int* target = a == "--starts" ? &o.starts : a == "--resources" ? &o.resources
                : a == "--idle-seconds" ? &o.idle_seconds : nullptr;
    if (!target || i + 1 >= argc) {
      std::fprintf(stderr, "usage: %s [--starts N (5)] [--resources N (100)] [--idle-seconds N (10)]\n", argv[0]);
      return 2;
    }
    *target = std::atoi(argv[++i]);
  }
  if (o.starts < 1 || o.resources < 1 || o.idle_seconds < 0) {
    std::fprintf(stderr, "--starts and --resources must be at least 1, --idle-seconds at least 0\n");
    return 2;
  }
  spdlog::set_level(spdlog::level::warn);  // the in-process QStash fake logs every request at info
  try {
    return keyroll::bench::Run(o);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "idle_footprint: %s\n", e.what());
    return 1;
  }
}
