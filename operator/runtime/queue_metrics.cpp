#include "operator/runtime/queue_metrics.h"

namespace keyroll::runtime {

namespace {

class PrometheusQueue : public QueueMetrics {
 public:
  explicit PrometheusQueue(http::Metrics& m) : m_(m) {}
  void Added() override { m_.QueueAdded(); }
  void Depth(std::size_t depth) override { m_.QueueDepth(static_cast<double>(depth)); }
  void QueueLatency(double seconds) override { m_.QueueLatency(seconds); }
  void WorkDuration(double seconds) override { m_.QueueWorkDuration(seconds); }
  void Retry() override { m_.QueueRetry(); }

 private:
  http::Metrics& m_;
};

}  // namespace

std::shared_ptr<QueueMetrics> PrometheusQueueMetrics(http::Metrics& metrics) {
  return std::make_shared<PrometheusQueue>(metrics);
}

}  // namespace keyroll::runtime
