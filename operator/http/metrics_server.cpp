#include "operator/http/metrics_server.h"

#include <httplib.h>

namespace keyroll::http {

MetricsServer::MetricsServer(const Metrics& metrics) {
  listener_.server().Get("/metrics", [&metrics](const httplib::Request&, httplib::Response& res) {
    res.set_content(metrics.Serialize(), "text/plain; version=0.0.4; charset=utf-8");
  });
}

}  // namespace keyroll::http
