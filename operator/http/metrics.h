// metrics: every Prometheus metric keyroll exports, owned by one Metrics object and
// rendered in the text exposition format by prometheus-cpp's TextSerializer.
// Names and result label values are the vocabulary's (operator/rotation/vocabulary.h:
// kMetric*, k*Results); what each metric means is its HELP text in
// metrics.cpp. Result counters start at 0 for the results that matter to alerts
// (rotations: succeeded|failed; reconciles: success|error); other results appear when
// first counted. Provider requests are labelled {provider,op,code}, code being the HTTP
// status or "error"/"timeout" when there was none; per-resource gauges {namespace,name}.
// Labelled families appear in the output once they have a series.
// Per-resource series ({namespace,name}) are removed with RemoveResource when the
// SigningKeyRotation is deleted, so a deleted resource stops being reported. They are kept
// as one small record per resource and turned into series at scrape time: a prometheus-cpp
// series costs ~400 bytes (its label map), three per resource ~1 KB.
// The alerts' gauges (rotation/resource_gauges.h): keyroll_rotation_blocked{namespace,name,
// reason} is 1 with the gate's reason while a due rotation waits and 0 with reason="" otherwise
// (so the series with the old reason goes stale when the reason changes);
// keyroll_resource_ready is 1 while Ready=True; keyroll_max_key_age_seconds is spec.rotation.
// maxKeyAge, only for resources that set it (compare keyroll_key_age_seconds with it).
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/metric_family.h>
#include <prometheus/registry.h>

#include "operator/rotation/resource_gauges.h"

namespace keyroll::http {

class Metrics {
 public:
  using WallClock = std::function<std::chrono::system_clock::time_point()>;
  // `version` fills keyroll_build_info; `now` is for tests (default: system_clock::now).
  explicit Metrics(const std::string& version = "", WallClock now = {});
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  void RotationDone(const std::string& result);
  void RevocationDone(const std::string& result);  // rotation.revokePrevious (Auth0)
  void ReconcileDone(std::string_view result, double seconds);
  void ProviderRequest(const std::string& provider, const std::string& op, const std::string& code);

  // Per SigningKeyRotation.
  void SetConsumersStale(const std::string& ns, const std::string& name, int stale);
  // The time the current key became current; keyroll_key_age_seconds is now minus this.
  void SetKeyCurrentSince(const std::string& ns, const std::string& name,
                          std::chrono::system_clock::time_point since);
  void SetLastRotationTime(const std::string& ns, const std::string& name,
                           std::chrono::system_clock::time_point when);
  void SetResourceGauges(const std::string& ns, const std::string& name, const rotation::ResourceGauges& gauges);
  // Drops every series labelled with this resource.
  void RemoveResource(const std::string& ns, const std::string& name);

  // Workqueue (see controller/queue_metrics.h).
  void QueueAdded();
  void QueueDepth(double depth);
  void QueueRetry();
  void QueueLatency(double seconds);
  void QueueWorkDuration(double seconds);

  void SetLeader(bool leader);

  // Prometheus text exposition format (version 0.0.4).
  std::string Serialize() const;
  std::shared_ptr<prometheus::Registry> registry() const { return registry_; }

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  WallClock now_;
  prometheus::Family<prometheus::Counter>& rotations_;
  prometheus::Family<prometheus::Counter>& revocations_;
  prometheus::Family<prometheus::Counter>& reconciles_;
  prometheus::Histogram& reconcile_duration_;
  prometheus::Family<prometheus::Counter>& provider_requests_;
  prometheus::Gauge& queue_depth_;
  prometheus::Counter& queue_adds_;
  prometheus::Counter& queue_retries_;
  prometheus::Histogram& queue_latency_;
  prometheus::Histogram& work_duration_;
  prometheus::Gauge& leader_;

  struct ResourceSeries {
    std::optional<int> consumers_stale;
    std::optional<std::chrono::system_clock::time_point> key_current_since;
    std::optional<std::chrono::system_clock::time_point> last_rotation;
    std::optional<rotation::ResourceGauges> gauges;
  };
  // The per-resource families in the text format, appended to `out` straight from the
  // records: as prometheus-cpp objects, 10,000 resources' series took ~10 MB per scrape.
  void AppendResourceSeries(std::chrono::system_clock::time_point now, std::string& out) const;

  mutable std::mutex mu_;  // guards resources_
  std::map<std::string, ResourceSeries> resources_;  // by namespace + '\0' + name
};

}  // namespace keyroll::http
