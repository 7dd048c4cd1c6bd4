// manager.cpp — see manager.h.
#include "operator/controller/manager.h"

#include "operator/runtime/queue_metrics.h"

namespace keyroll::controller {

namespace {

runtime::WorkqueueOptions QueueOptions(http::Metrics& metrics) {
  runtime::WorkqueueOptions o;
  // Per-key backoff for failed reconciles: 200 ms doubling to 5 min (a provider outage or
  // a missing token Secret is retried often at first, rarely later).
  o.base_delay = std::chrono::milliseconds(200);
  o.max_delay = std::chrono::minutes(5);
  o.metrics = runtime::PrometheusQueueMetrics(metrics);
  return o;
}

ProviderCacheOptions ProviderOptions(const ManagerOptions& o) {
  ProviderCacheOptions p;
  p.ca_file = o.provider_ca_file;
  p.read_timeout = o.provider_read_timeout;
  return p;
}

}  // namespace

Manager::Manager(kube::Client& client, http::Metrics& metrics, ManagerOptions options)
    : options_(std::move(options)),
      metrics_(metrics),
      queue_(QueueOptions(metrics)),
      events_(client, "keyroll"),
      providers_(client, ProviderOptions(options_), &metrics),
      informers_(client, options_.watch_namespace, [this](const std::string& key, runtime::Lane lane) { queue_.Add(key, lane); }),
      reconciler_(client, informers_, providers_, metrics, events_, options_.pending_settle),
      workers_(queue_, options_.workers, [this](const std::string& key) { return reconciler_.Reconcile(key); }) {
  providers_.SetWake([this](const std::string& key) { queue_.Add(key); });
}

Manager::~Manager() { Stop(); }

void Manager::StartCaches() { informers_.Start(); }

bool Manager::WaitForCaches(const runtime::ShutdownSignal& stop) {
  while (!informers_.HasSynced()) {
    if (stop.WaitFor(std::chrono::milliseconds(50))) return false;
  }
  return true;
}

void Manager::StartWorkers() {
  if (workers_running_.exchange(true)) return;
  workers_.Start();
}

void Manager::Stop() {
  workers_.Stop();  // shuts the queue down: informer handlers' adds are ignored from now on
  informers_.Stop();
  workers_running_ = false;
}

void Manager::Tidy() { providers_.ForgetExpiredConnects(); }

http::CheckResult Manager::Ready() const {
  return informers_.HasSynced() ? http::CheckResult::Ok() : http::CheckResult::Fail("caches not synced");
}

http::CheckResult Manager::Alive() const {
  auto busy = queue_.LongestProcessing();
  if (busy > options_.stuck_after)
    return http::CheckResult::Fail("a reconcile has been running for " + std::to_string(busy.count() / 1000) + "s");
  return http::CheckResult::Ok();
}

}  // namespace keyroll::controller
