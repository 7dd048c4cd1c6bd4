// fake-qstash: the QStash fake as a process, for process tests and the sandbox.
//   fake-qstash [--listen 127.0.0.1:0] [--plain-http] [--state-dir DIR] [--account TOKEN]...
//               [--accounts N] [--rate-limit N/s] [--admin-token T]
// Without --account it creates one account with a generated token (or N with --accounts).
// --state-dir DIR receives ca.crt (HTTPS only), port, admin-token and, for generated tokens,
// tokens (one per line). When ready it prints exactly one line:
//   fake-qstash listening on https://127.0.0.1:PORT
// SIGTERM or SIGINT stop it cleanly. It never logs tokens or keys.
#include <signal.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "tests/fakes/common/fake_process.h"
#include "tests/fakes/qstash/fake_qstash.h"

int main(int argc, char** argv) {
  CLI::App app{"fake-qstash: a QStash signing-keys service for tests"};
  std::string listen = "127.0.0.1:0";
  bool plain_http = false;
  std::string state_dir;
  std::vector<std::string> tokens;
  int generate = 0;
  std::string rate_limit;
  std::string admin_token;
  app.add_option("--listen", listen, "HOST:PORT to listen on (port 0: any free port)");
  app.add_flag("--plain-http", plain_http, "serve plain HTTP instead of HTTPS");
  app.add_option("--state-dir", state_dir, "write ca.crt, port, admin-token and tokens here");
  app.add_option("--account", tokens, "an account with this token (repeatable)");
  app.add_option("--accounts", generate, "number of accounts with generated tokens");
  app.add_option("--rate-limit", rate_limit, "requests per second per account, e.g. 5/s");
  app.add_option("--admin-token", admin_token, "token for the /_fake/ control API (generated if absent)");
  CLI11_PARSE(app, argc, argv);

  try {
    keyroll::fakes::FakeQStashOptions options;
    auto address = keyroll::fakes::ParseListen(listen);
    options.host = address.host;
    options.port = address.port;
    options.plain_http = plain_http;
    options.admin_token = admin_token;
    options.rate_limit_per_second = keyroll::fakes::ParsePerSecond(rate_limit);
    keyroll::fakes::StopSignals stop_signals;  // before any thread starts

    keyroll::fakes::FakeQStash fake(options);
    for (const auto& t : tokens) fake.CreateAccount(t);
    if (tokens.empty() && generate == 0) generate = 1;
    std::string generated;
    for (int i = 0; i < generate; ++i) generated += fake.CreateAccount() + "\n";
    fake.Start();

    if (!state_dir.empty()) {
      keyroll::fakes::WriteCommonState(state_dir, plain_http ? "" : fake.ca_cert_pem(), fake.port(),
                                       fake.admin_token());
      if (!generated.empty()) keyroll::fakes::WriteStateFile(std::filesystem::path(state_dir) / "tokens", generated);
    }
    keyroll::fakes::AnnounceReady("fake-qstash listening on " + fake.base_url());

    stop_signals.Wait();
    keyroll::fakes::StopWithin([&fake] { fake.Stop(); });
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "fake-qstash: " << e.what() << std::endl;
    return 1;
  }
}
