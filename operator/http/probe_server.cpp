#include "operator/http/probe_server.h"

#include <exception>

#include <httplib.h>

namespace keyroll::http {

ProbeServer::ProbeServer() {
  auto handler = [this](Checks ProbeServer::*checks, const std::string& what) {
    return [this, checks, what](const httplib::Request& req, httplib::Response& res) {
      Checks copy;
      {
        std::lock_guard lock(mu_);
        copy = this->*checks;
      }
      auto [status, body] = Run(copy, what, req.has_param("verbose"));
      res.status = status;
      res.set_content(body, "text/plain; charset=utf-8");
    };
  };
  listener_.server().Get("/healthz", handler(&ProbeServer::liveness_, "healthz"));
  listener_.server().Get("/readyz", handler(&ProbeServer::readiness_, "readyz"));
}

void ProbeServer::AddLivenessCheck(const std::string& name, Check check) {
  std::lock_guard lock(mu_);
  liveness_.emplace_back(name, std::move(check));
}

void ProbeServer::AddReadinessCheck(const std::string& name, Check check) {
  std::lock_guard lock(mu_);
  readiness_.emplace_back(name, std::move(check));
}

std::pair<int, std::string> ProbeServer::Run(const Checks& checks, const std::string& what,
                                             bool verbose) {
  bool all_ok = true;
  std::string listing;
  for (const auto& [name, check] : checks) {
    CheckResult r;
    try {
      r = check();
    } catch (const std::exception& e) {
      r = CheckResult::Fail(std::string("check threw: ") + e.what());
    }
    all_ok = all_ok && r.ok;
    listing += r.ok ? "[+]" + name + " ok\n" : "[-]" + name + " failed: " + r.reason + "\n";
  }
  if (all_ok) return {200, verbose ? listing + what + " check passed\n" : "ok"};
  return {500, listing + what + " check failed\n"};
}

}  // namespace keyroll::http
