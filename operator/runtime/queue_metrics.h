// queue_metrics: feeds a Workqueue's measurements into the keyroll_workqueue_* metrics.
#pragma once

#include <memory>

#include "operator/runtime/workqueue.h"
#include "operator/http/metrics.h"

namespace keyroll::runtime {

// `metrics` must outlive the queue.
std::shared_ptr<QueueMetrics> PrometheusQueueMetrics(http::Metrics& metrics);

}  // namespace keyroll::runtime
