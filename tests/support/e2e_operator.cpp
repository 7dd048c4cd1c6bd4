#include "tests/support/e2e_operator.h"

#include <filesystem>
#include <sstream>
#include <stdexcept>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "tests/support/suite_artifacts.h"
#include "tests/support/temp_dir.h"
#include "tests/support/wait.h"

namespace keyroll::testing {
namespace {

// The port of `msg` in a JSON log line {"msg": msg, "address": "127.0.0.1:PORT"}; 0 if absent.
int ListeningPort(const std::string& log, const std::string& msg) {
  std::istringstream in(log);
  std::string line;
  while (std::getline(in, line)) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (!j.is_object() || j.value("msg", "") != msg) continue;
    std::string address = j.value("address", "");
    auto colon = address.rfind(':');
    if (colon == std::string::npos) continue;
    try {
      return std::stoi(address.substr(colon + 1));
    } catch (...) {
      return 0;
    }
  }
  return 0;
}

std::string Tail(const std::string& s, size_t n = 3000) { return s.size() > n ? s.substr(s.size() - n) : s; }

}  // namespace

// The harness runs keyroll-failpoints: keyroll with failpoints (operator/runtime/failpoint.h),
// which the shipped binary does not have; the robustness suite sets KEYROLL_FAILPOINTS.
bool KeyrollBinaryAvailable() {
  try {
    BuiltBinary("keyroll-failpoints");
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

HttpAnswer HttpGetLocal(int port, const std::string& path) {
  httplib::Client cli("127.0.0.1", port);
  cli.set_connection_timeout(std::chrono::seconds(2));
  cli.set_read_timeout(std::chrono::seconds(5));
  auto res = cli.Get(path.c_str());
  if (!res) return {};
  return {res->status, res->body};
}

KeyrollOperator::KeyrollOperator(KeyrollOptions options) : options_(std::move(options)) {}

KeyrollOperator::~KeyrollOperator() {
  if (process_ && SuiteArtifactsWanted() && process_->running() && metrics_port_ != 0)
    SaveSuiteArtifact("keyroll-metrics", Metrics().body);  // for the whole-suite secrecy scan
  if (process_) process_->Stop(std::chrono::seconds(5));
}

void KeyrollOperator::Start(const std::map<std::string, std::string>& env, std::chrono::milliseconds timeout) {
  ProcessOptions po;
  po.argv = {BuiltBinary("keyroll-failpoints"), "--kubeconfig", options_.kubeconfig, "--log-format", "json",
             "--log-level", "debug", "--metrics-bind-address", "127.0.0.1:0",
             "--health-probe-bind-address", "127.0.0.1:0"};
  if (!options_.watch_namespace.empty()) po.argv.insert(po.argv.end(), {"--namespace", options_.watch_namespace});
  if (!options_.provider_ca_file.empty()) {
    po.argv.insert(po.argv.end(), {"--provider-ca-file", options_.provider_ca_file});
  }
  po.argv.insert(po.argv.end(), options_.extra_args.begin(), options_.extra_args.end());
  po.env = env;
  if (!po.env.count("KEYROLL_FAILPOINTS")) po.env["KEYROLL_FAILPOINTS"] = "";
  po.log_path = options_.log_dir + "/keyroll-" + std::to_string(log_paths_.size() + 1) + ".log";
  log_paths_.push_back(po.log_path);
  metrics_port_ = probe_port_ = 0;
  process_ = std::make_unique<Process>(po);
  bool up = WaitUntil([&] {
    std::string log = process_->Output();
    metrics_port_ = ListeningPort(log, "metrics server listening");
    probe_port_ = ListeningPort(log, "probe server listening");
    return (metrics_port_ && probe_port_) || !process_->running();
  }, timeout);
  if (!up || !metrics_port_ || !probe_port_) {
    throw std::runtime_error("keyroll did not report its listening ports; log tail:\n" + Tail(process_->Output()));
  }
}

bool KeyrollOperator::WaitReady(std::chrono::milliseconds timeout) {
  return WaitUntil([&] { return Probe("/readyz").status == 200; }, timeout, std::chrono::milliseconds(50));
}

std::optional<int> KeyrollOperator::Stop() {
  if (!process_) return std::nullopt;
  // Its last metrics, for the whole-suite secrecy scan (suite_artifacts.h).
  if (SuiteArtifactsWanted() && process_->running() && metrics_port_ != 0)
    SaveSuiteArtifact("keyroll-metrics", Metrics().body);
  return process_->Stop();
}

void KeyrollOperator::Kill() {
  if (process_) process_->Kill();
}

bool KeyrollOperator::WaitExit(std::chrono::milliseconds timeout) {
  return process_ && process_->Wait(timeout).has_value();
}

void KeyrollOperator::Restart(const std::map<std::string, std::string>& env, bool kill) {
  if (kill) Kill();
  else Stop();
  Start(env);
}

bool KeyrollOperator::running() { return process_ && process_->running(); }

HttpAnswer KeyrollOperator::Probe(const std::string& path) { return HttpGetLocal(probe_port_, path); }

HttpAnswer KeyrollOperator::Metrics() { return HttpGetLocal(metrics_port_, "/metrics"); }

std::string KeyrollOperator::CurrentLog() const { return process_ ? process_->Output() : ""; }

std::string KeyrollOperator::AllLogs() const {
  std::string all;
  for (const auto& p : log_paths_) {
    if (std::filesystem::exists(p)) all += ReadFile(p);
  }
  return all;
}

std::vector<std::string> KeyrollOperator::LogLinesWith(const std::string& fragment) const {
  std::vector<std::string> out;
  std::istringstream in(AllLogs());
  std::string line;
  while (std::getline(in, line)) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_object() && j.value("msg", "").find(fragment) != std::string::npos) out.push_back(line);
  }
  return out;
}

}  // namespace keyroll::testing
