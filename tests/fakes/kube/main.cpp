// fake-kube-apiserver: the fake Kubernetes API server as a process, for process tests and the
// sandbox. Prints one line "fake-kube-apiserver listening on URL" when ready; SIGTERM or
// SIGINT stop it. See --help.
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include <CLI/CLI.hpp>

#include "tests/fakes/common/fake_process.h"
#include "tests/fakes/kube/fake_kube_apiserver.h"
#include "tests/fakes/kube/yaml_json.h"

namespace {

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

int main(int argc, char** argv) {
  using keyroll::fakes::FakeKubeApiServer;
  CLI::App app{"A fake Kubernetes API server that speaks the real wire protocol"};
  std::string listen = "127.0.0.1:0";
  bool plain_http = false;
  std::string state_dir, authz_file;
  std::vector<std::string> tokens, crd_files;
  size_t history = 10000;
  int bookmark_ms = 1000, threads = 256, keep_alive_s = 30;
  app.add_option("--listen", listen, "HOST:PORT to listen on (port 0: any free port)");
  app.add_flag("--plain-http", plain_http, "serve plain HTTP instead of HTTPS");
  app.add_option("--state-dir", state_dir, "write ca.crt, tls.crt, tls.key, port, kubeconfig, admin-token here");
  app.add_option("--token", tokens, "TOKEN:USER (repeatable); the user \"admin\" has full access");
  app.add_option("--authz", authz_file, "JSON/YAML rules: {users: {NAME: {rules: [PolicyRule...]}}}");
  app.add_option("--history", history, "change events kept for watches and paging");
  app.add_option("--bookmark-interval-ms", bookmark_ms, "how often watches get a BOOKMARK");
  app.add_option("--crd", crd_files, "YAML/JSON manifest created at start-up (repeatable)");
  app.add_option("--threads", threads, "worker threads (each open watch holds one)");
  app.add_option("--keep-alive-timeout-seconds", keep_alive_s,
                 "idle keep-alive connections are closed after this (as a load balancer in front of an API server does)");
  CLI11_PARSE(app, argc, argv);

  // Signals are taken by Wait() below; every thread inherits the blocked mask.
  keyroll::fakes::StopSignals signals;

  try {
    keyroll::fakes::FakeKubeOptions options;
    auto address = keyroll::fakes::ParseListen(listen);
    options.host = address.host;
    options.port = address.port;
    options.plain_http = plain_http;
    options.history = history;
    options.bookmark_interval = std::chrono::milliseconds(bookmark_ms);
    options.threads = threads;
    options.keep_alive_timeout_seconds = keep_alive_s;
    std::vector<std::pair<std::string, std::string>> users;
    for (const auto& t : tokens) {
      size_t sep = t.rfind(':');
      if (sep == std::string::npos || sep == 0 || sep + 1 == t.size()) {
        throw std::runtime_error("--token must be TOKEN:USER");
      }
      std::string token = t.substr(0, sep), user = t.substr(sep + 1);
      if (user == "admin") options.admin_token = token;
      else users.emplace_back(token, user);
    }
    FakeKubeApiServer api(options);
    for (const auto& [token, user] : users) api.access().AddToken(token, user);
    if (!authz_file.empty()) {
      auto docs = keyroll::fakes::ParseYamlDocuments(ReadAll(authz_file));
      if (docs.empty()) throw std::runtime_error(authz_file + ": empty");
      api.access().LoadRules(docs.front());
    }
    for (const auto& f : crd_files) api.CreateFromManifest(ReadAll(f));
    api.Start();
    if (!state_dir.empty()) api.WriteStateDir(state_dir);
    keyroll::fakes::AnnounceReady("fake-kube-apiserver listening on " + api.url());

    signals.Wait();
    keyroll::fakes::StopWithin([&api] { api.Stop(); });
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fake-kube-apiserver: %s\n", e.what());
    return 1;
  }
  return 0;
}
