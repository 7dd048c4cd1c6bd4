// scale: keyroll at scale — scenario 1 (cold start) and 2 (steady state) of issue 7.
// Builds a cluster on the fake API server: --namespaces namespaces holding --resources
// SigningKeyRotations (each its own QStash account and token Secret; target Secret
// "<name>-keys", default refreshInterval 5m), --deployments Deployments of which
// --consumer-percent read a resource's target Secret (the others read an unrelated Secret),
// and --unrelated-secrets Secrets of --secret-kib KiB. A cluster-wide RolloutCompleter plays
// the deployment controller. Then keyroll starts (all namespaces) and the program measures:
//  1. time from process start to every resource Ready (a cluster-wide watch stamps each),
//     VmHWM/VmRSS of keyroll, API requests (the fake's /_fake/stats, minus the bench's own
//     rollout writes), provider requests (the QStash fake's per-account counters);
//  2. --idle-seconds of idling: API writes, provider reads, CPU seconds (/proc/PID/stat)
//     of keyroll and of the fakes, RSS at the end;
//  4. a rotation wave: a requestID set on --wave-resources resources at once (those with
//     --consumers-per-resource consumers each, maxConcurrentRestarts 2): time until every one
//     is rotated and Ready, peak API requests per second, most rollouts in flight per
//     resource, 429 answers keyroll got (its metrics).
// --hung-percent P (issue 17): every (100/P)-th account hangs (the QStash fake's hang fault);
// scenario 1 then measures the time until every other resource is Ready (no idle, no wave).
// --consumer-kinds deployment,statefulset,daemonset (issue 16): the consumers are workloads of
// these kinds in turn (each resource's consumers a mix); the other workloads stay Deployments.
// Scenario 1 also prints, per resource with consumers, the time from its last consumer's
// rollout completing (the RolloutCompleter's status write answered) to Ready (the watch), and
// keyroll's own API requests (its User-Agent) per resource by verb and resource.
// Consumer Deployments read the Secret of resources 0.. of their namespace, each resource
// --consumers-per-resource of them; the other Deployments read an unrelated Secret.
// Not a test: run by hand (tests/bench/run-scale); prints tables.
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <spdlog/spdlog.h>
#include <unistd.h>

#include "tests/bench/bench_stats.h"
#include "tests/bench/first_seen.h"
#include "tests/bench/proc_stats.h"
#include "tests/bench/rollout_completer.h"
#include "tests/support/e2e_environment.h"
#include "tests/support/wait.h"

namespace keyroll::bench {
namespace {

using testing::json;
namespace res = kube::resources;

// Milliseconds into the day of a JSON log line's "time" (…THH:MM:SS.mmmZ); -1 when absent.
double LogLineMillis(const std::string& line) {
  auto at = line.find("\"time\":\"");
  if (at == std::string::npos || line.size() < at + 8 + 24) return -1;
  const std::string t = line.substr(at + 8 + 11, 12);  // HH:MM:SS.mmm
  int h = 0, m = 0, sec = 0, ms = 0;
  if (std::sscanf(t.c_str(), "%d:%d:%d.%d", &h, &m, &sec, &ms) != 4) return -1;
  return ((h * 60.0 + m) * 60.0 + sec) * 1000.0 + ms;
}

// From keyroll's "starting" log line to its "caches synced" (every informer listed): the
// part of a cold start spent listing, by keyroll's own clock. -1 when either is missing.
double StartToSyncedSeconds(const std::string& log_path) {
  std::ifstream in(log_path);
  double started = -1, synced = -1;
  for (std::string line; std::getline(in, line) && synced < 0;) {
    if (started < 0 && line.find("\"msg\":\"starting\"") != std::string::npos) started = LogLineMillis(line);
    if (line.find("\"msg\":\"caches synced\"") != std::string::npos) synced = LogLineMillis(line);
  }
  if (started < 0 || synced < 0) return -1;
  if (synced < started) synced += 24 * 3600 * 1000.0;  // past midnight
  return (synced - started) / 1000.0;
}

struct Options {
  int namespaces = 100;
  int resources = 10000;
  int deployments = 20000;
  int consumer_percent = 25;
  int unrelated_secrets = 10000;
  int secret_kib = 10;
  int idle_seconds = 600;
  int create_threads = 4;
  int ready_timeout_seconds = 1200;
  int consumers_per_resource = 5;
  int wave_resources = -1;  // -1: every resource with consumers; 0: no wave
  int hung_percent = 0;     // accounts whose every QStash request hangs (the fake's hang fault)
  std::vector<std::string> consumer_kinds = {"deployment"};  // consumers' kinds, in turn
  std::vector<std::string> keyroll_args;  // after --: extra keyroll flags
};

struct Layout {
  const Options& o;
  std::string prefix;
  std::string Ns(int n) const { return prefix + "-" + std::to_string(n); }
  int ResourcesIn(int n) const { return o.resources / o.namespaces + (n < o.resources % o.namespaces ? 1 : 0); }
  int DeploymentsIn(int n) const {
    return o.deployments / o.namespaces + (n < o.deployments % o.namespaces ? 1 : 0);
  }
  int SecretsIn(int n) const {
    return o.unrelated_secrets / o.namespaces + (n < o.unrelated_secrets % o.namespaces ? 1 : 0);
  }
  static std::string Resource(int n, int i) { return "r-" + std::to_string(n) + "-" + std::to_string(i); }
};

// Runs `work(client, item)` for items [0, count) on `threads` threads, each with its own client.
void Parallel(const kube::Config& config, int threads, int count,
              const std::function<void(kube::Client&, int)>& work) {
  std::atomic<int> next{0};
  std::atomic<bool> failed{false};
  std::string error;
  std::mutex error_mu;
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      auto client = kube::Client::Create(config);
      if (!client) {
        failed = true;
        return;
      }
      for (int i; !failed && (i = next++) < count;) {
        try {
          work(**client, i);
        } catch (const std::exception& e) {
          std::lock_guard lock(error_mu);
          error = e.what();
          failed = true;
        }
      }
    });
  }
  for (auto& t : pool) t.join();
  if (failed) throw std::runtime_error("creating the cluster failed: " + error);
}

struct Cluster {
  std::vector<std::string> tokens;  // per resource, in creation order (never print)
  double seconds = 0;
  int hung = 0;  // resources whose account hangs (never Ready)
};

// Every k-th resource hangs for --hung-percent P (k = 100 / P), spread over the namespaces.
bool IsHung(const Options& o, size_t x) {
  return o.hung_percent > 0 && (x % static_cast<size_t>(100 / o.hung_percent)) == 0;
}

Cluster BuildCluster(testing::E2EEnvironment& env, const Layout& l) {
  const Options& o = l.o;
  auto t0 = Clock::now();
  Cluster c;
  std::vector<std::pair<int, int>> resources;  // (namespace, index)
  for (int n = 0; n < o.namespaces; ++n)
    for (int i = 0; i < l.ResourcesIn(n); ++i) resources.emplace_back(n, i);
  for (size_t i = 0; i < resources.size(); ++i) {
    c.tokens.push_back(env.qstash().CreateAccount());
    if (!IsHung(o, i)) continue;
    fakes::Fault hang = fakes::MakeFault(fakes::FaultKind::kHang, fakes::FaultOp::kAny, -1);
    hang.account = c.tokens.back();
    env.qstash().InjectFault(hang);
    ++c.hung;
  }
  const auto& config = env.cluster().config();
  Parallel(config, o.create_threads, o.namespaces, [&](kube::Client& k, int n) {
    testing::CreateObject(k, res::kNamespaces, "",
                          {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", l.Ns(n)}}}});
  });
  std::string filler;
  std::mt19937 rng(7);
  const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (int i = 0; i < o.secret_kib * 1024; ++i) filler.push_back(alphabet[rng() % 64]);  // already base64
  std::vector<std::pair<int, int>> secrets, deployments;
  for (int n = 0; n < o.namespaces; ++n) {
    for (int i = 0; i < l.SecretsIn(n); ++i) secrets.emplace_back(n, i);
    for (int i = 0; i < l.DeploymentsIn(n); ++i) deployments.emplace_back(n, i);
  }
  Parallel(config, o.create_threads, static_cast<int>(secrets.size()), [&](kube::Client& k, int x) {
    auto [n, i] = secrets[x];
    testing::CreateObject(k, res::kSecrets, l.Ns(n),
                          {{"apiVersion", "v1"}, {"kind", "Secret"},
                           {"metadata", {{"name", "u-" + std::to_string(i)}, {"labels", {{"app", "other"}}}}},
                           {"type", "Opaque"}, {"data", {{"blob", filler}}}});
  });
  Parallel(config, o.create_threads, static_cast<int>(deployments.size()), [&](kube::Client& k, int x) {
    auto [n, i] = deployments[x];
    const int per_ns = l.DeploymentsIn(n);
    const bool consumer = i < per_ns * o.consumer_percent / 100 && l.ResourcesIn(n) > 0;
    std::string reads = consumer ? Layout::Resource(n, (i / o.consumers_per_resource) % l.ResourcesIn(n)) + "-keys"
                                 : "u-" + std::to_string(l.SecretsIn(n) > 0 ? i % l.SecretsIn(n) : 0);
    const std::string kind = consumer ? o.consumer_kinds[static_cast<size_t>(i) % o.consumer_kinds.size()] : "deployment";
    const std::string name = "d-" + std::to_string(i);
    json d = {{"apiVersion", "apps/v1"},
              {"metadata", {{"name", name}, {"labels", {{"app", name}}}}},
              {"spec", {{"selector", {{"matchLabels", {{"app", name}}}}},
                        {"template", {{"metadata", {{"labels", {{"app", name}}}}},
                                      {"spec", {{"containers", {{{"name", "app"}, {"image", "example/app:1"}}}},
                                                {"volumes", {{{"name", "keys"},
                                                              {"secret", {{"secretName", reads}}}}}}}}}}}}};
    if (kind == "statefulset") {
      d["kind"] = "StatefulSet";
      d["spec"]["replicas"] = 1;
      d["spec"]["serviceName"] = name;
      testing::CreateObject(k, res::kStatefulSets, l.Ns(n), d);
    } else if (kind == "daemonset") {
      d["kind"] = "DaemonSet";
      testing::CreateObject(k, res::kDaemonSets, l.Ns(n), d);
    } else {
      d["kind"] = "Deployment";
      d["spec"]["replicas"] = 1;
      testing::CreateObject(k, res::kDeployments, l.Ns(n), d);
    }
  });
  Parallel(config, o.create_threads, static_cast<int>(resources.size()), [&](kube::Client& k, int x) {
    auto [n, i] = resources[x];
    const std::string name = Layout::Resource(n, i);
    testing::CreateObject(k, res::kSecrets, l.Ns(n),
                          {{"apiVersion", "v1"}, {"kind", "Secret"}, {"metadata", {{"name", name + "-token"}}},
                           {"type", "Opaque"}, {"stringData", {{"QSTASH_TOKEN", c.tokens[x]}}}});
    json skr = testing::MakeQStashSkr(name, env.qstash_url(), name + "-keys");
    skr["spec"]["provider"]["qstash"]["tokenSecretRef"]["name"] = name + "-token";
    skr["spec"].erase("refreshInterval");
    skr["spec"]["consumers"]["maxConcurrentRestarts"] = 2;
    testing::CreateObject(k, res::kSigningKeyRotations, l.Ns(n), skr);
  });
  c.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  return c;
}

int64_t QStashRequests(testing::E2EEnvironment& env, const std::vector<std::string>& tokens, const char* op) {
  int64_t sum = 0;
  for (const auto& t : tokens)
    if (auto a = env.qstash().Account(t)) {
      auto it = a->requests.find(op);
      if (it != a->requests.end()) sum += it->second;
    }
  return sum;
}

struct ApiCounts {
  int64_t total = 0, writes = 0, bench_writes = 0;
  json by_request;
  int64_t keyroll_total = 0;  // keyroll's own requests (its User-Agent)
  json keyroll_by_request;
};

ApiCounts Api(testing::E2EEnvironment& env) {
  json s = env.cluster().Stats();
  ApiCounts a;
  a.total = s.value("total", int64_t{0});
  a.by_request = s.value("by_request", json::object());
  for (const char* v : {"create", "update", "patch", "delete", "deletecollection"})
    a.writes += s["by_verb"].value(v, int64_t{0});
  for (const char* r : {"deployments", "statefulsets", "daemonsets"})  // the RolloutCompleter's
    a.bench_writes += a.by_request.value(std::string("patch ") + r + ".apps/status", int64_t{0});
  json keyroll = s["by_user_agent"].value("keyroll", json::object());
  a.keyroll_total = keyroll.value("total", int64_t{0});
  a.keyroll_by_request = keyroll.value("by_request", json::object());
  return a;
}

void PrintRequests(const json& by_request, int per = 0) {
  std::vector<std::pair<int64_t, std::string>> rows;
  for (auto& [k, v] : by_request.items()) rows.emplace_back(v.get<int64_t>(), k);
  std::sort(rows.rbegin(), rows.rend());
  for (const auto& [n, k] : rows) {
    std::printf("    %-52s %8lld", k.c_str(), static_cast<long long>(n));
    if (per > 0) std::printf(" %8.2f", static_cast<double>(n) / per);
    std::printf("\n");
  }
}

// Per resource with consumers: its last consumer rollout completing (the RolloutCompleter's
// write answered; matched by the keys hash the resource's status names) -> first seen Ready.
void PrintRolloutToReady(testing::E2EEnvironment& env, const RolloutCompleter& completer, const FirstSeen& ready) {
  auto completed = completer.CompletedByKeySet();
  auto list = env.kube().ListAll(res::kSigningKeyRotations, "");
  if (!list) return;
  std::vector<double> ms;
  for (const auto& skr : list->items) {
    std::string hash = skr.value("/status/keys/keysHash"_json_pointer, std::string());
    auto done = completed.find(skr.value("/metadata/namespace"_json_pointer, std::string()) + "/" + hash);
    auto seen = ready.When(skr.value("/metadata/name"_json_pointer, std::string()));
    if (hash.empty() || done == completed.end() || !seen) continue;
    ms.push_back(MillisBetween(done->second, *seen));  // negative would mean Ready before the rollout: none expected
  }
  if (ms.empty()) return;
  std::sort(ms.begin(), ms.end());
  std::printf("%-58s %10zu\n", "resources with consumers (rollout completed -> Ready)", ms.size());
  std::printf("%-58s %8.0f ms\n", "  p50", Percentile(ms, 50));
  std::printf("%-58s %8.0f ms\n", "  p99", Percentile(ms, 99));
  std::printf("%-58s %8.0f ms\n", "  max", ms.back());
  if (ms.front() < 0) std::printf("%-58s %8.0f ms\n", "  min (negative: Ready before the rollout!)", ms.front());
}

// The port in keyroll's {"msg": "metrics server listening", "address": "127.0.0.1:PORT"} line.
int MetricsPort(const std::string& log_path) {
  std::ifstream in(log_path);
  for (std::string line; std::getline(in, line);) {
    auto j = json::parse(line, nullptr, false);
    if (!j.is_object() || j.value("msg", "") != "metrics server listening") continue;
    std::string address = j.value("address", "");
    auto colon = address.rfind(':');
    return colon == std::string::npos ? 0 : std::atoi(address.c_str() + colon + 1);
  }
  return 0;
}

// Sum of the keyroll metric's samples whose labels contain `label` (e.g. code="429").
double MetricSum(int port, const std::string& metric, const std::string& label) {
  auto answer = testing::HttpGetLocal(port, "/metrics");
  std::istringstream in(answer.body);
  double sum = 0;
  for (std::string line; std::getline(in, line);)
    if (line.rfind(metric, 0) == 0 && line.find(label) != std::string::npos)
      sum += std::atof(line.c_str() + line.rfind(' ') + 1);
  return sum;
}

double MiB(long kb) { return static_cast<double>(kb) / 1024.0; }

void Idle(testing::E2EEnvironment& env, const Options& o, const Cluster& cluster, RolloutCompleter& completer,
          testing::Process& keyroll, pid_t fake_pid);

// Scenario 4: requestIDs on the resources with consumers, all at once.
int Wave(testing::E2EEnvironment& env, const Layout& l, RolloutCompleter& completer, testing::Process& keyroll,
         const std::string& log_path) {
  const Options& o = l.o;
  std::vector<std::pair<int, int>> wave;
  for (int n = 0; n < o.namespaces; ++n) {
    int consumers = l.DeploymentsIn(n) * o.consumer_percent / 100;
    int consumed = std::min(l.ResourcesIn(n), (consumers + o.consumers_per_resource - 1) / o.consumers_per_resource);
    for (int i = 0; i < consumed; ++i) wave.emplace_back(n, i);
  }
  if (o.wave_resources > 0 && static_cast<int>(wave.size()) > o.wave_resources) wave.resize(o.wave_resources);
  const int port = MetricsPort(log_path);
  const double r429_0 = MetricSum(port, "keyroll_provider_requests_total", "code=\"429\"");
  FirstSeen rotated(env.cluster().config(), res::kSigningKeyRotations, "", [](const kube::WatchEvent& e) {
    return testing::IsReadyAndSynced(e.object) && e.object.value("/status/rotationCount"_json_pointer, 0) >= 1;
  });
  std::this_thread::sleep_for(std::chrono::seconds(2));
  env.cluster().Control("stats/reset");
  completer.ResetMaxInFlight();
  std::atomic<bool> sampling{true};
  int64_t peak_per_second = 0;
  std::thread sampler([&] {
    int64_t last = 0;
    while (sampling) {
      std::this_thread::sleep_for(std::chrono::seconds(1));
      int64_t now = env.cluster().Stats().value("total", int64_t{0});
      peak_per_second = std::max(peak_per_second, now - last - 1);  // minus this Stats call
      last = now;
    }
  });
  std::printf("\nscenario 4: rotation wave over %zu resources (%d consumers each, maxConcurrentRestarts 2)...\n",
              wave.size(), o.consumers_per_resource);
  std::fflush(stdout);
  auto t0 = Clock::now();
  Parallel(env.cluster().config(), o.create_threads, static_cast<int>(wave.size()), [&](kube::Client& k, int x) {
    auto [n, i] = wave[x];
    testing::RequestRotation(k, l.Ns(n), Layout::Resource(n, i), "wave-1");
  });
  const double requested = MillisBetween(t0, Clock::now()) / 1000.0;
  bool done = testing::WaitUntil([&] { return rotated.Count() >= wave.size() || !keyroll.running(); },
                                 std::chrono::seconds(o.ready_timeout_seconds), std::chrono::milliseconds(100));
  sampling = false;
  sampler.join();
  if (!done || !keyroll.running()) {
    std::fprintf(stderr, "only %zu of %zu resources rotated\n", rotated.Count(), wave.size());
    return 1;
  }
  ApiCounts api = Api(env);
  std::printf("\n%-58s %12s\n", "measurement", "value");
  std::printf("%-58s %10.1f s\n", "requestIDs written (the bench, 4 threads)", requested);
  std::printf("%-58s %10.1f s\n", "first request -> every wave resource rotated and Ready",
              MillisBetween(t0, *rotated.Last()) / 1000.0);
  std::printf("%-58s %10lld\n", "peak API requests per second (all clients)", static_cast<long long>(peak_per_second));
  std::printf("%-58s %10lld\n", "API requests (all)", static_cast<long long>(api.total));
  std::printf("%-58s %10d\n", "most rollouts in flight for one key set (limit 2)", completer.max_in_flight_per_key_set());
  std::printf("%-58s %10.0f\n", "QStash 429 answers keyroll got",
              MetricSum(port, "keyroll_provider_requests_total", "code=\"429\"") - r429_0);
  std::printf("%-58s %8.1f MiB\n", "keyroll VmRSS after the wave", MiB(StatusKb(keyroll.pid(), "VmRSS")));
  std::printf("%-58s %8.1f MiB\n", "keyroll VmHWM (whole run, wave included)", MiB(StatusKb(keyroll.pid(), "VmHWM")));
  std::printf("  API requests by verb and resource:\n");
  PrintRequests(api.by_request);
  return 0;
}

int Run(const Options& o) {
  testing::E2EOptions eo;
  eo.start_operator = false;
  eo.simulate_workloads = false;  // the RolloutCompleter plays the deployment controller
  testing::E2EEnvironment env(eo);
  if (!env.cluster().is_fake()) throw std::runtime_error("the scale benchmark needs the fake API server (stats)");
  Layout l{o, env.ns()};
  std::string ca_file = env.cluster().temp_dir().Write("bench-qstash-ca.crt", env.qstash().ca_cert_pem());
  const pid_t fake_pid = env.cluster().fake_process().pid();

  RolloutCompleter completer(env.cluster().config(), std::chrono::milliseconds(200), 2);
  std::string kinds;
  for (const auto& k : o.consumer_kinds) kinds += (kinds.empty() ? "" : ",") + k;
  std::printf("building the cluster: %d namespaces, %d SigningKeyRotations, %d workloads (%d%% consumers: %s; "
              "the others Deployments), %d unrelated Secrets of %d KiB...\n", o.namespaces, o.resources,
              o.deployments, o.consumer_percent, kinds.c_str(), o.unrelated_secrets, o.secret_kib);
  std::fflush(stdout);
  Cluster cluster = BuildCluster(env, l);
  if (!testing::WaitUntil([&] { return completer.HasSynced() && completer.in_flight() == 0; },
                          std::chrono::seconds(300), std::chrono::milliseconds(100)))
    throw std::runtime_error("the initial Deployment rollouts did not complete");
  std::printf("cluster built in %.1f s; fake API server: VmRSS %.1f MiB, %.1f CPU s so far\n", cluster.seconds,
              MiB(StatusKb(fake_pid, "VmRSS")), CpuSeconds(fake_pid));
  std::printf("load before keyroll: ");
  std::fflush(stdout);
  std::system("uptime");

  FirstSeen ready(env.cluster().config(), res::kSigningKeyRotations, "",
                  [](const kube::WatchEvent& e) { return testing::IsReadyAndSynced(e.object); });
  std::this_thread::sleep_for(std::chrono::seconds(2));  // the watch is open and has listed
  env.cluster().Control("stats/reset");
  const int64_t completer_writes0 = completer.writes();
  const double fake_cpu0 = CpuSeconds(fake_pid);
  const double bench_cpu0 = CpuSeconds(getpid());

  testing::ProcessOptions po;
  po.argv = {testing::BuiltBinary("keyroll"), "--kubeconfig", env.cluster().kubeconfig_path(), "--provider-ca-file",
             ca_file, "--log-format", "json", "--log-level", "info", "--metrics-bind-address", "127.0.0.1:0",
             "--health-probe-bind-address", "127.0.0.1:0"};
  po.argv.insert(po.argv.end(), o.keyroll_args.begin(), o.keyroll_args.end());
  po.log_path = env.cluster().temp_dir().path() + "/bench-scale-keyroll.log";
  auto t0 = Clock::now();
  testing::Process keyroll(po);
  long peak_rss = 0;
  double last_print = 0;
  bool all = testing::WaitUntil([&] {
    peak_rss = std::max(peak_rss, StatusKb(keyroll.pid(), "VmRSS"));
    double s = std::chrono::duration<double>(Clock::now() - t0).count();
    if (s - last_print >= 10) {
      last_print = s;
      std::printf("  %5.0f s: %zu/%d Ready, keyroll VmRSS %.1f MiB\n", s, ready.Count(), o.resources - cluster.hung,
                  MiB(StatusKb(keyroll.pid(), "VmRSS")));
      std::fflush(stdout);
    }
    return static_cast<int>(ready.Count()) >= o.resources - cluster.hung || !keyroll.running();
  }, std::chrono::seconds(o.ready_timeout_seconds), std::chrono::milliseconds(100));
  if (!all || !keyroll.running()) {
    std::fprintf(stderr, "only %zu of %d resources Ready (keyroll %s); log: %s\n", ready.Count(), o.resources,
                 keyroll.running() ? "running" : "exited", po.log_path.c_str());
    if (keyroll.running())  // what a timed-out run still tells
      std::fprintf(stderr, "keyroll VmHWM %.1f MiB, VmRSS %.1f MiB, %.1f CPU s\n",
                   MiB(StatusKb(keyroll.pid(), "VmHWM")), MiB(StatusKb(keyroll.pid(), "VmRSS")),
                   CpuSeconds(keyroll.pid()));
    return 1;
  }
  const double to_ready = MillisBetween(t0, *ready.Last()) / 1000.0;
  const long hwm_ready = StatusKb(keyroll.pid(), "VmHWM");
  const long rss_ready = StatusKb(keyroll.pid(), "VmRSS");
  const double cpu_ready = CpuSeconds(keyroll.pid());
  std::this_thread::sleep_for(std::chrono::seconds(5));  // trailing events and rollouts land
  ApiCounts cold = Api(env);
  const int64_t completer_cold = completer.writes() - completer_writes0;
  const int64_t gets_cold = QStashRequests(env, cluster.tokens, "get_keys");
  const int64_t rotates_cold = QStashRequests(env, cluster.tokens, "rotate");
  const double fake_cpu_cold = CpuSeconds(fake_pid) - fake_cpu0;
  const double bench_cpu_cold = CpuSeconds(getpid()) - bench_cpu0;

  std::printf("\nscenario 1: cold start, %d SigningKeyRotations in %d namespaces, %d workloads, %d Secrets\n\n",
              o.resources, o.namespaces, o.deployments, o.unrelated_secrets + 2 * o.resources);
  std::printf("%-58s %12s\n", "measurement", "value");
  if (cluster.hung > 0)
    std::printf("%-58s %10d\n", "resources whose account hangs (not waited for)", cluster.hung);
  std::printf("%-58s %10.1f s\n", "process start -> every resource Ready", to_ready);
  std::printf("%-58s %10.1f s\n", "  of which keyroll start -> caches synced (its log)", StartToSyncedSeconds(po.log_path));
  std::printf("%-58s %10.1f s\n", "keyroll CPU until then", cpu_ready);
  std::printf("%-58s %8.1f MiB\n", "keyroll VmHWM (peak RSS) when all Ready", MiB(hwm_ready));
  std::printf("%-58s %8.1f MiB\n", "keyroll VmRSS when all Ready", MiB(rss_ready));
  std::printf("%-58s %8.1f KiB\n", "VmRSS per resource (whole process / resources)",
              static_cast<double>(rss_ready) / o.resources);
  std::printf("%-58s %10lld\n", "API requests (all, incl. the bench's rollout writes)",
              static_cast<long long>(cold.total));
  std::printf("%-58s %10lld\n", "  of which the bench's RolloutCompleter status writes",
              static_cast<long long>(cold.bench_writes));
  std::printf("%-58s %10lld\n", "API writes by keyroll", static_cast<long long>(cold.writes - cold.bench_writes));
  std::printf("%-58s %10lld\n", "QStash GET /v2/keys (fake's counters)", static_cast<long long>(gets_cold));
  std::printf("%-58s %10lld\n", "QStash rotate (fake's counters)", static_cast<long long>(rotates_cold));
  std::printf("%-58s %10.1f s\n", "fake API server CPU meanwhile", fake_cpu_cold);
  std::printf("%-58s %10.1f s\n", "bench process CPU meanwhile (QStash fake, watch, rollouts)", bench_cpu_cold);
  std::printf("%-58s %8.1f MiB\n", "fake API server VmRSS", MiB(StatusKb(fake_pid, "VmRSS")));
  std::printf("%-58s %10lld\n", "API requests by keyroll (its User-Agent)", static_cast<long long>(cold.keyroll_total));
  std::printf("%-58s %10.2f\n", "  per resource (start-up lists and watches included)",
              static_cast<double>(cold.keyroll_total) / (o.resources - cluster.hung));
  PrintRolloutToReady(env, completer, ready);
  std::printf("  (RolloutCompleter writes counted by itself: %lld)\n  API requests by verb and resource:\n",
              static_cast<long long>(completer_cold));
  PrintRequests(cold.by_request);
  std::printf("  keyroll's API requests by verb and resource (count, per resource):\n");
  PrintRequests(cold.keyroll_by_request, o.resources - cluster.hung);
  std::fflush(stdout);

  if (o.idle_seconds > 0) Idle(env, o, cluster, completer, keyroll, fake_pid);
  return o.wave_resources == 0 || cluster.hung > 0 ? 0 : Wave(env, l, completer, keyroll, po.log_path);
}

void Idle(testing::E2EEnvironment& env, const Options& o, const Cluster& cluster, RolloutCompleter& completer,
          testing::Process& keyroll, pid_t fake_pid) {
  env.cluster().Control("stats/reset");
  const int64_t gets0 = QStashRequests(env, cluster.tokens, "get_keys");
  const double cpu0 = CpuSeconds(keyroll.pid()), fake_idle0 = CpuSeconds(fake_pid);
  const int64_t completer_idle0 = completer.writes();
  std::printf("\nscenario 2: idling %d s...\n", o.idle_seconds);
  std::fflush(stdout);
  long idle_peak = 0;
  testing::WaitUntil([&] {
    idle_peak = std::max(idle_peak, StatusKb(keyroll.pid(), "VmRSS"));
    return !keyroll.running();
  }, std::chrono::seconds(o.idle_seconds), std::chrono::milliseconds(1000));
  ApiCounts idle = Api(env);
  const int64_t gets_idle = QStashRequests(env, cluster.tokens, "get_keys") - gets0;
  const double cpu_idle = CpuSeconds(keyroll.pid()) - cpu0;
  const double expected_reads = static_cast<double>(o.resources) * o.idle_seconds / 300.0;
  std::printf("\n%-58s %12s\n", "measurement", "value");
  std::printf("%-58s %10lld\n", "API requests (all)", static_cast<long long>(idle.total));
  std::printf("%-58s %10lld\n", "API writes by keyroll (goal: 0)", static_cast<long long>(idle.writes - idle.bench_writes));
  std::printf("%-58s %10lld\n", "QStash GET /v2/keys", static_cast<long long>(gets_idle));
  std::printf("%-58s %10.0f\n", "  goal: one per account per refreshInterval (5m)", expected_reads);
  std::printf("%-58s %10.1f s\n", "keyroll CPU", cpu_idle);
  std::printf("%-58s %10.1f s\n", "fake API server CPU", CpuSeconds(fake_pid) - fake_idle0);
  std::printf("%-58s %8.1f MiB\n", "keyroll VmRSS at the end (steady)", MiB(StatusKb(keyroll.pid(), "VmRSS")));
  std::printf("%-58s %8.1f MiB\n", "keyroll VmRSS peak while idle", MiB(idle_peak));
  std::printf("%-58s %8.1f MiB\n", "keyroll VmHWM (whole run)", MiB(StatusKb(keyroll.pid(), "VmHWM")));
  std::printf("  (RolloutCompleter writes: %lld)\n  API requests by verb and resource:\n",
              static_cast<long long>(completer.writes() - completer_idle0));
  PrintRequests(idle.by_request);
  std::fflush(stdout);
}

}  // namespace
}  // namespace keyroll::bench

int main(int argc, char** argv) {
  keyroll::bench::Options o;
  auto usage = [&] {
    std::fprintf(stderr,
                 "usage: %s [--namespaces N] [--resources N] [--deployments N] [--consumer-percent P]\n"
                 "          [--unrelated-secrets N] [--secret-kib K] [--idle-seconds S] [--create-threads T]\n"
                 "          [--ready-timeout-seconds S] [--consumers-per-resource C] [--wave-resources N]\n"
                 "          [--hung-percent P] [--consumer-kinds deployment,statefulset,daemonset]\n"
                 "          [-- extra keyroll flags]\n"
                 "defaults: 100 namespaces, 10000 resources, 20000 deployments, 25%% consumers,\n"
                 "          10000 unrelated 10 KiB Secrets, 600 s idle\n", argv[0]);
    return 2;
  };
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto number = [&](int& out) {
      if (i + 1 >= argc) return false;
      out = std::atoi(argv[++i]);
      return true;
    };
    bool ok = true;
    if (a == "--") {
      for (++i; i < argc; ++i) o.keyroll_args.push_back(argv[i]);
    } else if (a == "--namespaces") ok = number(o.namespaces);
    else if (a == "--resources") ok = number(o.resources);
    else if (a == "--deployments") ok = number(o.deployments);
    else if (a == "--consumer-percent") ok = number(o.consumer_percent);
    else if (a == "--unrelated-secrets") ok = number(o.unrelated_secrets);
    else if (a == "--secret-kib") ok = number(o.secret_kib);
    else if (a == "--idle-seconds") ok = number(o.idle_seconds);
    else if (a == "--create-threads") ok = number(o.create_threads);
    else if (a == "--ready-timeout-seconds") ok = number(o.ready_timeout_seconds);
    else if (a == "--consumers-per-resource") ok = number(o.consumers_per_resource);
    else if (a == "--wave-resources") ok = number(o.wave_resources);
    else if (a == "--hung-percent") ok = number(o.hung_percent);
    else if (a == "--consumer-kinds" && i + 1 < argc) {
      o.consumer_kinds.clear();
      std::stringstream list(argv[++i]);
      for (std::string k; std::getline(list, k, ',');) {
        if (k != "deployment" && k != "statefulset" && k != "daemonset") ok = false;
        o.consumer_kinds.push_back(k);
      }
      if (o.consumer_kinds.empty()) ok = false;
    }
    else ok = false;
    if (!ok) return usage();
  }
  if (o.namespaces < 1 || o.resources < 1 || o.create_threads < 1 || o.consumers_per_resource < 1) return usage();
  if (o.hung_percent < 0 || o.hung_percent > 50) return usage();
  spdlog::set_level(spdlog::level::warn);  // the in-process QStash fake logs every request at info
  try {
    return keyroll::bench::Run(o);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "scale: %s\n", e.what());
    return 1;
  }
}
