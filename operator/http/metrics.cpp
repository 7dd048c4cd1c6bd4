#include "operator/http/metrics.h"

#include <prometheus/text_serializer.h>

#include "operator/rotation/vocabulary.h"

#include <algorithm>
#include <cstdio>

namespace keyroll::http {

namespace {

namespace vocab = rotation::vocab;
using prometheus::BuildCounter;
using prometheus::BuildGauge;
using prometheus::BuildHistogram;
using prometheus::Histogram;

// Reconciles take milliseconds when nothing changes and seconds when a provider is slow.
const Histogram::BucketBoundaries kReconcileBuckets = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                                       0.5,   1,    2.5,   5,    10,  30, 60};
// Queue waits range from microseconds to the maximum backoff.
const Histogram::BucketBoundaries kQueueBuckets = {1e-5, 1e-4, 1e-3, 0.01, 0.1,
                                                   1,    10,   100,  1000};

std::string Name(std::string_view vocabulary_word) { return std::string(vocabulary_word); }

double UnixSeconds(std::chrono::system_clock::time_point t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

// Namespaces hold no NUL (they are DNS labels): the first one ends the namespace.
std::string ResourceKey(const std::string& ns, const std::string& name) { return ns + '\0' + name; }

// The text exposition format's label value escaping (as prometheus-cpp's TextSerializer).
void AppendEscaped(std::string& out, const std::string& value) {
  for (char c : value) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
}

// One sample line: name{name="...",namespace="..."[,reason="..."]} value (labels sorted, as
// prometheus-cpp writes them). %.16g is the precision prometheus-cpp writes values with
// (max_digits10 - 1).
void AppendSample(std::string& out, std::string_view family, const std::string& key, double value,
                  const std::string* reason = nullptr) {
  const size_t nul = key.find('\0');
  out += family;
  out += "{name=\"";
  AppendEscaped(out, key.substr(nul + 1));
  out += "\",namespace=\"";
  AppendEscaped(out, key.substr(0, nul));
  if (reason) {
    out += "\",reason=\"";
    AppendEscaped(out, *reason);
  }
  char number[32];
  std::snprintf(number, sizeof number, "\"} %.16g\n", value);
  out += number;
}
}  // namespace

Metrics::Metrics(const std::string& version, WallClock now)
    : registry_(std::make_shared<prometheus::Registry>()),
      now_(now ? std::move(now) : WallClock([] { return std::chrono::system_clock::now(); })),
      rotations_(BuildCounter()
                     .Name(Name(vocab::kMetricRotationsTotal))
                     .Help("Key rotations performed, by result.")
                     .Register(*registry_)),
      revocations_(BuildCounter()
                       .Name(Name(vocab::kMetricRevocationsTotal))
                       .Help("Revocations of the previous key (rotation.revokePrevious), by result.")
                       .Register(*registry_)),
      reconciles_(BuildCounter()
                      .Name(Name(vocab::kMetricReconcileTotal))
                      .Help("Reconciles of SigningKeyRotations, by result.")
                      .Register(*registry_)),
      reconcile_duration_(BuildHistogram()
                              .Name(Name(vocab::kMetricReconcileDuration))
                              .Help("Time one reconcile took.")
                              .Register(*registry_)
                              .Add({}, kReconcileBuckets)),
      provider_requests_(BuildCounter()
                             .Name(Name(vocab::kMetricProviderRequestsTotal))
                             .Help("Requests to provider APIs, by provider, operation and "
                                   "HTTP status (or error/timeout).")
                             .Register(*registry_)),
      queue_depth_(BuildGauge()
                       .Name(Name(vocab::kMetricWorkqueueDepth))
                       .Help("Keys in the workqueue waiting for a worker.")
                       .Register(*registry_)
                       .Add({})),
      queue_adds_(BuildCounter()
                      .Name(Name(vocab::kMetricWorkqueueAddsTotal))
                      .Help("Keys added to the workqueue.")
                      .Register(*registry_)
                      .Add({})),
      queue_retries_(BuildCounter()
                         .Name(Name(vocab::kMetricWorkqueueRetriesTotal))
                         .Help("Keys re-added with backoff after a failed reconcile.")
                         .Register(*registry_)
                         .Add({})),
      queue_latency_(BuildHistogram()
                         .Name(Name(vocab::kMetricWorkqueueQueueDuration))
                         .Help("Time a key waited in the workqueue before a worker took it.")
                         .Register(*registry_)
                         .Add({}, kQueueBuckets)),
      work_duration_(BuildHistogram()
                         .Name(Name(vocab::kMetricWorkqueueWorkDuration))
                         .Help("Time a worker spent on a key.")
                         .Register(*registry_)
                         .Add({}, kQueueBuckets)),
      leader_(BuildGauge()
                  .Name(Name(vocab::kMetricLeaderIsLeader))
                  .Help("1 while this replica holds the leader Lease, else 0.")
                  .Register(*registry_)
                  .Add({})) {
  BuildGauge()
      .Name(Name(vocab::kMetricBuildInfo))
      .Help("Always 1; the version label says which keyroll is running.")
      .Register(*registry_)
      .Add({{"version", version.empty() ? "unknown" : version}})
      .Set(1);
  // Known results start at 0, so rate() and alerts work before the first event.
  for (auto result : {vocab::kRotationResultSucceeded, vocab::kRotationResultFailed})
    rotations_.Add({{"result", Name(result)}});
  for (auto result : vocab::kReconcileResults) reconciles_.Add({{"result", Name(result)}});
}

void Metrics::RotationDone(const std::string& result) { rotations_.Add({{"result", result}}).Increment(); }

void Metrics::RevocationDone(const std::string& result) { revocations_.Add({{"result", result}}).Increment(); }

void Metrics::ReconcileDone(std::string_view result, double seconds) {
  reconciles_.Add({{"result", std::string(result)}}).Increment();
  reconcile_duration_.Observe(seconds);
}

void Metrics::ProviderRequest(const std::string& provider, const std::string& op,
                              const std::string& code) {
  provider_requests_.Add({{"provider", provider}, {"op", op}, {"code", code}}).Increment();
}

void Metrics::SetConsumersStale(const std::string& ns, const std::string& name, int stale) {
  std::lock_guard lock(mu_);
  resources_[ResourceKey(ns, name)].consumers_stale = stale;
}

void Metrics::SetKeyCurrentSince(const std::string& ns, const std::string& name,
                                 std::chrono::system_clock::time_point since) {
  std::lock_guard lock(mu_);
  resources_[ResourceKey(ns, name)].key_current_since = since;
}

void Metrics::SetLastRotationTime(const std::string& ns, const std::string& name,
                                  std::chrono::system_clock::time_point when) {
  std::lock_guard lock(mu_);
  resources_[ResourceKey(ns, name)].last_rotation = when;
}

void Metrics::SetResourceGauges(const std::string& ns, const std::string& name,
                                const rotation::ResourceGauges& gauges) {
  std::lock_guard lock(mu_);
  resources_[ResourceKey(ns, name)].gauges = gauges;
}

void Metrics::RemoveResource(const std::string& ns, const std::string& name) {
  std::lock_guard lock(mu_);
  resources_.erase(ResourceKey(ns, name));
}

void Metrics::QueueAdded() { queue_adds_.Increment(); }
void Metrics::QueueDepth(double depth) { queue_depth_.Set(depth); }
void Metrics::QueueRetry() { queue_retries_.Increment(); }
void Metrics::QueueLatency(double seconds) { queue_latency_.Observe(seconds); }
void Metrics::QueueWorkDuration(double seconds) { work_duration_.Observe(seconds); }
void Metrics::SetLeader(bool leader) { leader_.Set(leader ? 1 : 0); }

void Metrics::AppendResourceSeries(std::chrono::system_clock::time_point now, std::string& out) const {
  struct Gauge {
    std::string_view name;
    const char* help;
    std::function<std::optional<double>(const ResourceSeries&)> value;
  };
  const Gauge gauges[] = {
      {vocab::kMetricConsumersStale, "Consumers of a SigningKeyRotation that do not yet run its Secret's keys.",
       [](const ResourceSeries& r) -> std::optional<double> {
         if (!r.consumers_stale) return std::nullopt;
         return *r.consumers_stale;
       }},
      // Key age grows between reconciles, so it is computed when scraped.
      {vocab::kMetricKeyAgeSeconds, "Seconds since the current signing key of a SigningKeyRotation became current.",
       [now](const ResourceSeries& r) -> std::optional<double> {
         if (!r.key_current_since) return std::nullopt;
         return std::max(0.0, std::chrono::duration<double>(now - *r.key_current_since).count());
       }},
      {vocab::kMetricLastRotationTimestamp, "Unix time of the last rotation of a SigningKeyRotation.",
       [](const ResourceSeries& r) -> std::optional<double> {
         if (!r.last_rotation) return std::nullopt;
         return UnixSeconds(*r.last_rotation);
       }},
      {vocab::kMetricMaxKeyAgeSeconds, "spec.rotation.maxKeyAge of a SigningKeyRotation, in seconds (only when set).",
       [](const ResourceSeries& r) -> std::optional<double> {
         if (!r.gauges || !r.gauges->max_key_age) return std::nullopt;
         return static_cast<double>(r.gauges->max_key_age->count());
       }},
      {vocab::kMetricResourceReady, "1 while a SigningKeyRotation is Ready (condition Ready=True), else 0.",
       [](const ResourceSeries& r) -> std::optional<double> {
         if (!r.gauges) return std::nullopt;
         return r.gauges->ready ? 1 : 0;
       }},
      {vocab::kMetricRotationBlocked, "1 while a due rotation of a SigningKeyRotation waits at the gate, reason "
                                      "being the gate's (RotationAllowed's reason); else 0 with reason=\"\".",
       [](const ResourceSeries& r) -> std::optional<double> {
         if (!r.gauges) return std::nullopt;
         return r.gauges->blocked_reason.empty() ? 0 : 1;
       }},
  };
  std::lock_guard lock(mu_);
  for (const auto& g : gauges) {
    bool header = false;
    for (const auto& [key, r] : resources_) {
      auto value = g.value(r);
      if (!value) continue;
      if (!header) {
        out += "# HELP " + Name(g.name) + " " + g.help + "\n# TYPE " + Name(g.name) + " gauge\n";
        header = true;
      }
      // keyroll_rotation_blocked alone carries a third label: the gate's reason.
      const std::string* reason = g.name == vocab::kMetricRotationBlocked ? &r.gauges->blocked_reason : nullptr;
      AppendSample(out, g.name, key, *value, reason);
    }
  }
}

std::string Metrics::Serialize() const {
  std::string text = prometheus::TextSerializer().Serialize(registry_->Collect());
  AppendResourceSeries(now_(), text);
  return text;
}

}  // namespace keyroll::http
