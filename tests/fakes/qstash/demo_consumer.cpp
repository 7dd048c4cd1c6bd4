// demo-consumer: an application that receives QStash deliveries and verifies their
// signatures the way the official SDKs do (current key, then next key), to show what keyroll
// protects. Keys come from QSTASH_CURRENT_SIGNING_KEY / QSTASH_NEXT_SIGNING_KEY, or with
// --keys-dir from files of those names (a mounted Secret volume), re-read for every delivery
// so an updated volume takes effect without a restart.
//   demo-consumer [--listen 127.0.0.1:0] [--keys-dir DIR] [--no-url-check] [--tolerance S]
// Prints "demo-consumer listening on http://HOST:PORT" when ready, then one line per delivery:
// "accepted (current key)", "accepted (next key)" or "REJECTED: <reason>" (never key material).
// GET /stats answers {"accepted","accepted_current","accepted_next","rejected","last_result"}.
#include <httplib.h>
#include <signal.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "operator/providers/qstash/receiver.h"

namespace {

using keyroll::providers::SecretValue;
using keyroll::providers::qstash::Receiver;
using keyroll::providers::qstash::VerifiedBy;

constexpr const char* kCurrentName = "QSTASH_CURRENT_SIGNING_KEY";
constexpr const char* kNextName = "QSTASH_NEXT_SIGNING_KEY";

SecretValue ReadKey(const std::string& keys_dir, const char* name) {
  if (keys_dir.empty()) {
    const char* v = std::getenv(name);
    return SecretValue(v ? v : "");
  }
  std::ifstream in(keys_dir + "/" + name, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string value = ss.str();
  while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.pop_back();
  return SecretValue(std::move(value));
}

struct Stats {
  std::mutex mu;
  int accepted_current = 0;
  int accepted_next = 0;
  int rejected = 0;
  std::string last_result;
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"demo-consumer: verifies QStash delivery signatures"};
  std::string listen = "127.0.0.1:0";
  std::string keys_dir;
  bool no_url_check = false;
  int tolerance = 0;
  app.add_option("--listen", listen, "HOST:PORT to listen on (port 0: any free port)");
  app.add_option("--keys-dir", keys_dir, "read the keys from files in this directory");
  app.add_flag("--no-url-check", no_url_check, "do not compare the sub claim with the request URL");
  app.add_option("--tolerance", tolerance, "clock tolerance in seconds");
  CLI11_PARSE(app, argc, argv);

  auto colon = listen.rfind(':');
  if (colon == std::string::npos) {
    std::cerr << "demo-consumer: --listen must be HOST:PORT" << std::endl;
    return 2;
  }
  std::string host = listen.substr(0, colon);
  int port = std::atoi(listen.substr(colon + 1).c_str());

  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  Stats stats;
  httplib::Server server;
  server.Get("/stats", [&](const httplib::Request&, httplib::Response& res) {
    std::lock_guard lock(stats.mu);
    nlohmann::json doc = {{"accepted", stats.accepted_current + stats.accepted_next},
                          {"accepted_current", stats.accepted_current},
                          {"accepted_next", stats.accepted_next},
                          {"rejected", stats.rejected},
                          {"last_result", stats.last_result}};
    res.set_content(doc.dump(), "application/json");
  });
  server.Post(R"(/.*)", [&](const httplib::Request& req, httplib::Response& res) {
    Receiver receiver(ReadKey(keys_dir, kCurrentName), ReadKey(keys_dir, kNextName));
    keyroll::providers::qstash::VerifyOptions options;
    if (!no_url_check) options.url = "http://" + req.get_header_value("Host") + req.target;
    options.tolerance = std::chrono::seconds(tolerance);
    std::string signature = req.get_header_value("Upstash-Signature");
    keyroll::providers::qstash::Verification v;
    if (signature.empty()) {
      v.reason = "no Upstash-Signature header";
    } else {
      v = receiver.Verify(signature, req.body, options);
    }
    std::string line = v.ok() ? (v.key == VerifiedBy::kCurrent ? "accepted (current key)" : "accepted (next key)")
                              : "REJECTED: " + v.reason;
    {
      std::lock_guard lock(stats.mu);
      if (v.key == VerifiedBy::kCurrent) ++stats.accepted_current;
      if (v.key == VerifiedBy::kNext) ++stats.accepted_next;
      if (!v.ok()) ++stats.rejected;
      stats.last_result = line;
      std::cout << line << std::endl;
    }
    res.status = v.ok() ? 200 : 401;
    res.set_content(nlohmann::json{{"result", line}}.dump(), "application/json");
  });

  int bound = port == 0 ? server.bind_to_any_port(host) : (server.bind_to_port(host, port) ? port : -1);
  if (bound <= 0) {
    std::cerr << "demo-consumer: cannot listen on " << listen << std::endl;
    return 1;
  }
  std::thread serve([&] { server.listen_after_bind(); });
  while (!server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  std::cout << "demo-consumer listening on http://" << host << ":" << bound << std::endl;
  int sig = 0;
  sigwait(&stop_signals, &sig);
  server.stop();
  serve.join();
  return 0;
}
