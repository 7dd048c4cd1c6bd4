// metrics_server: serves GET /metrics (Prometheus text format 0.0.4) on
// --metrics-bind-address.
#pragma once

#include <string>

#include "operator/http/bind_address.h"
#include "operator/http/http_listener.h"
#include "operator/http/metrics.h"

namespace keyroll::http {

class MetricsServer {
 public:
  explicit MetricsServer(const Metrics& metrics);  // metrics must outlive the server
  bool Start(const BindAddress& address, std::string* error) { return listener_.Start(address, error); }
  void Stop() { listener_.Stop(); }
  int port() const { return listener_.port(); }

 private:
  HttpListener listener_;
};

}  // namespace keyroll::http
