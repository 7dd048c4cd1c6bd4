// fake-auth0: the Auth0 fake (one tenant) as a process, for process tests and the sandbox.
//   fake-auth0 [--listen 127.0.0.1:0] [--plain-http] [--state-dir DIR]
//              [--client ID:SECRET[:SCOPE,SCOPE...]]... [--clients N] [--admin-token T]
//              [--audience URL] [--token-lifetime SECONDS] [--rotations-per-day N]
//              [--rate-limit N/s] [--key-bank DIR]
// Without --client it creates one client with a generated id and secret and every signing-key
// scope (or N with --clients). --state-dir DIR receives ca.crt (HTTPS only), port,
// admin-token and clients (one "CLIENT_ID CLIENT_SECRET SCOPE,SCOPE" line per client, mode
// 0600). When ready it prints exactly one line:
//   fake-auth0 listening on https://127.0.0.1:PORT
// --key-bank DIR reuses RSA key pairs stored there (tests: generation is slow); certificates
// and kids are new anyway. SIGTERM or SIGINT stop it cleanly. It never logs secrets, tokens or keys.
#include <signal.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "tests/fakes/auth0/fake_auth0.h"
#include "tests/fakes/common/fake_process.h"

namespace {

namespace fs = std::filesystem;

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::stringstream in(s);
  for (std::string part; std::getline(in, part, sep);) {
    if (!part.empty()) out.push_back(part);
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"fake-auth0: an Auth0 tenant's signing-keys Management API for tests"};
  std::string listen = "127.0.0.1:0";
  bool plain_http = false;
  std::string state_dir, admin_token, audience, rate_limit, key_bank;
  std::vector<std::string> clients;
  int generate = 0, token_lifetime = 86400, rotations_per_day = 5;
  app.add_option("--listen", listen, "HOST:PORT to listen on (port 0: any free port)");
  app.add_flag("--plain-http", plain_http, "serve plain HTTP instead of HTTPS");
  app.add_option("--state-dir", state_dir, "write ca.crt, port, admin-token and clients here");
  app.add_option("--client", clients, "a client ID:SECRET[:SCOPE,SCOPE...] (repeatable)");
  app.add_option("--clients", generate, "number of clients with generated credentials");
  app.add_option("--admin-token", admin_token, "token for the /_fake/ control API (generated if absent)");
  app.add_option("--audience", audience, "Management API audience (default https://HOST:PORT/api/v2/)");
  app.add_option("--token-lifetime", token_lifetime, "expires_in of issued tokens, in seconds");
  app.add_option("--rotations-per-day", rotations_per_day, "rotations allowed per UTC day (Auth0: 5)");
  app.add_option("--rate-limit", rate_limit, "Management API requests per second per client, e.g. 10/s");
  app.add_option("--key-bank", key_bank, "directory of reusable RSA key pairs (tests)");
  CLI11_PARSE(app, argc, argv);

  try {
    keyroll::fakes::FakeAuth0Options options;
    auto address = keyroll::fakes::ParseListen(listen);
    options.host = address.host;
    options.port = address.port;
    options.plain_http = plain_http;
    options.admin_token = admin_token;
    options.audience = audience;
    options.key_bank_dir = key_bank;
    if (token_lifetime <= 0) throw std::runtime_error("--token-lifetime must be positive");
    options.token_lifetime_seconds = token_lifetime;
    options.rotations_per_day = rotations_per_day;
    if (!rate_limit.empty()) options.requests_per_second = keyroll::fakes::ParsePerSecond(rate_limit);
    keyroll::fakes::StopSignals stop_signals;  // before any thread starts

    keyroll::fakes::FakeAuth0 fake(options);
    for (const auto& spec : clients) {
      // Scopes contain colons themselves (read:signing_keys): split at the first two only.
      auto first = spec.find(':');
      auto second = first == std::string::npos ? std::string::npos : spec.find(':', first + 1);
      if (first == std::string::npos || first == 0 || first + 1 == spec.size() || second == first + 1) {
        throw std::runtime_error("--client must be ID:SECRET[:SCOPE,SCOPE...]");
      }
      std::string id = spec.substr(0, first);
      std::string secret = spec.substr(first + 1, second == std::string::npos ? std::string::npos : second - first - 1);
      if (second == std::string::npos) fake.AddClient(id, secret);
      else fake.AddClient(id, secret, Split(spec.substr(second + 1), ','));
    }
    if (clients.empty() && generate == 0) generate = 1;
    for (int i = 0; i < generate; ++i) fake.AddClient();
    fake.Start();

    if (!state_dir.empty()) {
      keyroll::fakes::WriteCommonState(state_dir, plain_http ? "" : fake.ca_cert_pem(), fake.port(),
                                       fake.admin_token());
      std::string lines;
      for (const auto& c : fake.Clients()) {
        std::string scopes;
        for (const auto& s : c.scopes) scopes += (scopes.empty() ? "" : ",") + s;
        lines += c.client_id + " " + c.client_secret + " " + scopes + "\n";
      }
      keyroll::fakes::WriteStateFile(fs::path(state_dir) / "clients", lines, true);
    }
    keyroll::fakes::AnnounceReady("fake-auth0 listening on " + fake.base_url());

    stop_signals.Wait();
    keyroll::fakes::StopWithin([&fake] { fake.Stop(); });
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "fake-auth0: " << e.what() << std::endl;
    return 1;
  }
}
