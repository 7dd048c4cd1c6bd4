// metrics: every Prometheus metric keyroll exports, owned by one Metrics object and
// rendered in the text exposition format by prometheus-cpp's TextSerializer.
//
//   keyroll_rotations_total{result}                 counter: rotations (success|failed start at 0;
//                                                   other results appear when first used)
//   keyroll_reconcile_total{result}                 counter: reconciles (success|error start at 0)
//   keyroll_reconcile_duration_seconds              histogram
//   keyroll_provider_requests_total{provider,op,code}  counter: code is the HTTP status or
//                                                   "error"/"timeout" when there was none
//   keyroll_consumers_stale{namespace,name}         gauge: consumers of that SigningKeyRotation
//                                                   not yet up to date with its Secret
//   keyroll_key_age_seconds{namespace,name}         gauge: age of the current key, computed at
//                                                   scrape time from the time it became current
//   keyroll_last_rotation_timestamp_seconds{namespace,name}  gauge: unix time of the last rotation
//   keyroll_workqueue_depth                         gauge: keys waiting for a worker
//   keyroll_workqueue_adds_total                    counter
//   keyroll_workqueue_retries_total                 counter: rate-limited re-adds
//   keyroll_workqueue_queue_duration_seconds        histogram: Add -> Get
//   keyroll_workqueue_work_duration_seconds         histogram: Get -> Done
//   keyroll_leader_is_leader                        gauge: 1 while this replica leads
//   keyroll_build_info{version}                     gauge: always 1
// Labelled families appear in the output once they have a series.
// Per-resource series ({namespace,name}) are removed with RemoveResource when the
// SigningKeyRotation is deleted, so a deleted resource stops being reported. They are kept
// as one small record per resource and turned into series at scrape time: a prometheus-cpp
// series costs ~400 bytes (its label map), three per resource ~1 KB.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/metric_family.h>
#include <prometheus/registry.h>

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
  void ReconcileDone(const std::string& result, double seconds);
  void ProviderRequest(const std::string& provider, const std::string& op, const std::string& code);

  // Per SigningKeyRotation.
  void SetConsumersStale(const std::string& ns, const std::string& name, int stale);
  // The time the current key became current; keyroll_key_age_seconds is now minus this.
  void SetKeyCurrentSince(const std::string& ns, const std::string& name,
                          std::chrono::system_clock::time_point since);
  void SetLastRotationTime(const std::string& ns, const std::string& name,
                           std::chrono::system_clock::time_point when);
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
  };
  // The per-resource families in the text format, appended to `out` straight from the
  // records: as prometheus-cpp objects, 10,000 resources' series took ~10 MB per scrape.
  void AppendResourceSeries(std::chrono::system_clock::time_point now, std::string& out) const;

  mutable std::mutex mu_;  // guards resources_
  std::map<std::string, ResourceSeries> resources_;  // by namespace + '\0' + name
};

}  // namespace keyroll::http
