// probe_server: the kubelet's probes on --health-probe-bind-address.
//   GET /healthz  200 "ok" while every liveness check passes (the process and its loops are
//                 not wedged), else 500 naming the failing check.
//   GET /readyz   the same for readiness checks (e.g. caches synced, leader elected or not).
// With ?verbose every check is listed ("[+]name ok" / "[-]name failed: reason"), as the
// kube-apiserver and controller-runtime do.
#pragma once

#include <functional>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "operator/http/bind_address.h"
#include "operator/http/http_listener.h"

namespace keyroll::http {

struct CheckResult {
  bool ok = true;
  std::string reason;  // short, and never secret: it is served to anyone who asks

  static CheckResult Ok() { return {}; }
  static CheckResult Fail(std::string why) { return {false, std::move(why)}; }
};
using Check = std::function<CheckResult()>;

class ProbeServer {
 public:
  ProbeServer();
  // Checks may be added at any time; they run on the server's threads.
  void AddLivenessCheck(const std::string& name, Check check);
  void AddReadinessCheck(const std::string& name, Check check);

  bool Start(const BindAddress& address, std::string* error) { return listener_.Start(address, error); }
  void Stop() { listener_.Stop(); }
  int port() const { return listener_.port(); }

 private:
  using Checks = std::vector<std::pair<std::string, Check>>;
  // Runs `checks`; returns the HTTP status and body.
  std::pair<int, std::string> Run(const Checks& checks, const std::string& what, bool verbose);

  std::mutex mu_;
  Checks liveness_;
  Checks readiness_;
  HttpListener listener_;
};

}  // namespace keyroll::http
