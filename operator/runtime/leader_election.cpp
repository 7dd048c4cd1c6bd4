#include "operator/runtime/leader_election.h"

#include <unistd.h>

#include <cstdio>
#include <random>
#include <stdexcept>

#include "operator/runtime/failpoint.h"

namespace keyroll::runtime {

namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

constexpr double kJitterFactor = 1.2;  // client-go's JitterFactor

MicroTime WallNow() {
  return std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
}

std::string RandomUuid() {
  std::random_device rd;
  std::uniform_int_distribution<unsigned> byte(0, 255);
  unsigned char b[16];
  for (auto& x : b) x = static_cast<unsigned char>(byte(rd));
  b[6] = (b[6] & 0x0f) | 0x40;  // version 4
  b[8] = (b[8] & 0x3f) | 0x80;  // RFC 4122 variant
  char out[37];
  std::snprintf(out, sizeof out,
                "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
                b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
                b[15]);
  return out;
}

}  // namespace

std::string DefaultLeaderIdentity() {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0 || host[0] == '\0') return RandomUuid();
  return std::string(host) + "_" + RandomUuid();
}

std::string ValidateLeaderElectionConfig(const LeaderElectionConfig& c) {
  if (c.name.empty()) return "leader election lease name must not be empty";
  if (c.lease_duration <= milliseconds(0) || c.renew_deadline <= milliseconds(0) ||
      c.retry_period <= milliseconds(0)) {
    return "leader election durations must be positive";
  }
  if (c.lease_duration % std::chrono::seconds(1) != milliseconds(0)) {
    return "leader election lease duration must be whole seconds (leaseDurationSeconds)";
  }
  if (c.lease_duration <= c.renew_deadline) {
    return "leader election lease duration must be greater than the renew deadline";
  }
  if (c.renew_deadline.count() <= kJitterFactor * c.retry_period.count()) {
    return "leader election renew deadline must be greater than 1.2 x the retry period";
  }
  if (c.request_timeout < milliseconds(0)) return "leader election request timeout is negative";
  return "";
}

LeaderElector::LeaderElector(kube::Client& client, LeaderElectionConfig config)
    : config_(std::move(config)) {
  if (auto why = ValidateLeaderElectionConfig(config_); !why.empty()) {
    throw std::invalid_argument(why);
  }
  if (config_.namespace_name.empty()) config_.namespace_name = client.default_namespace();
  if (config_.namespace_name.empty()) config_.namespace_name = "default";
  if (config_.identity.empty()) config_.identity = DefaultLeaderIdentity();
  if (config_.request_timeout == milliseconds(0)) {
    config_.request_timeout =
        std::max(milliseconds(100), (config_.lease_duration - config_.renew_deadline) / 2);
  }
  // A pool of its own with short timeouts: a renewal must never wait behind reconcile
  // traffic or hang past the lease (client-go bounds each try by the renew deadline).
  kube::TransportOptions options;
  options.connect_timeout = config_.request_timeout;
  options.read_timeout = config_.request_timeout;
  options.max_idle_connections = 2;
  auto made = kube::Client::Create(client.config(), options);
  if (!made.ok()) {
    throw std::runtime_error("leader election client: " + made.error().ToString());
  }
  client_ = std::move(made.value());
  log_ = log::Logger{{"lease", config_.namespace_name + "/" + config_.name},
                     {"identity", config_.identity}};
}

LeaderElector::~LeaderElector() { Stop(); }

void LeaderElector::Start() {
  std::lock_guard lock(mu_);
  if (thread_.joinable() || stopping_) return;
  thread_ = std::thread([this] { Run(); });
}

void LeaderElector::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (!thread_.joinable()) return;
  // Stop() from a callback runs on the elector's own thread: it ends when the callback returns.
  if (thread_.get_id() == std::this_thread::get_id()) return;
  thread_.join();
}

void LeaderElector::Abandon() {
  {
    std::lock_guard lock(mu_);
    abandon_ = true;
  }
  Stop();
}

std::string LeaderElector::CurrentLeader() const {
  std::lock_guard lock(mu_);
  return current_leader_;
}

void LeaderElector::Run() {
  if (config_.set_is_leader) config_.set_is_leader(false);
  log_.Info("attempting to acquire leader lease");
  if (AcquireLoop()) {
    SetLeading(true);
    log_.Info("successfully acquired lease");
    Failpoint("after-lease-acquired");
    if (config_.callbacks.on_started_leading) config_.callbacks.on_started_leading();
    RenewLoop();
    bool abandon, stopping;
    {
      std::lock_guard lock(mu_);
      abandon = abandon_;
      stopping = stopping_;
    }
    if (!abandon) {
      if (stopping && config_.release_on_cancel) Release();
      SetLeading(false);
      if (!stopping) log_.Error("leader election lost");
      if (config_.callbacks.on_stopped_leading) config_.callbacks.on_stopped_leading();
    } else {
      leading_ = false;
    }
  }
  done_ = true;
}

bool LeaderElector::AcquireLoop() {
  while (true) {
    {
      std::lock_guard lock(mu_);
      if (stopping_) return false;
    }
    if (TryAcquireOrRenew()) return true;
    if (!SleepFor(Jittered(config_.retry_period))) return false;
  }
}

void LeaderElector::RenewLoop() {
  // client-go: wait.Until(PollImmediateUntil(retry, tryAcquireOrRenew, renewDeadline), retry).
  while (SleepFor(config_.retry_period)) {
    const auto deadline = Clock::now() + config_.renew_deadline;
    bool renewed = false;
    while (true) {
      if (TryAcquireOrRenew()) {
        renewed = true;
        Failpoint("after-lease-renewed");
        break;
      }
      if (!observed_.holder_identity.empty() && observed_.holder_identity != config_.identity) {
        log_.Warn("lease taken over by another holder", {{"leader", observed_.holder_identity}});
        return;
      }
      if (Clock::now() + config_.retry_period >= deadline) break;
      if (!SleepFor(config_.retry_period)) return;
    }
    if (!renewed) {
      log_.Warn("failed to renew lease within the renew deadline",
                {{"renew_deadline_ms", std::to_string(config_.renew_deadline.count())}});
      return;
    }
  }
}

int LeaderElector::LeaseSeconds() const {
  return static_cast<int>(
      std::chrono::duration_cast<std::chrono::seconds>(config_.lease_duration).count());
}

bool LeaderElector::TryAcquireOrRenew() {
  const auto now = WallNow();
  const std::string& ns = config_.namespace_name;

  // Fast path (client-go): the leader updates its cached Lease without reading it first.
  if (leading_ && lease_ && observed_.holder_identity == config_.identity) {
    auto next = NextRecord(observed_, true, config_.identity, LeaseSeconds(), now);
    if (next && TryUpdate(*next)) return true;
  }

  auto got = client_->Get(kube::resources::kLeases, ns, config_.name);
  if (!got.ok()) {
    if (!kube::IsNotFound(got.error())) {
      log_.Warn("error retrieving lease", {{"error", got.error().ToString()}});
      return false;
    }
    const auto record = AcquiringRecord(config_.identity, LeaseSeconds(), now);
    auto created = client_->Create(kube::resources::kLeases, ns, NewLease(ns, config_.name, record));
    if (!created.ok()) {
      // AlreadyExists: another candidate created it first; the next try reads it.
      const auto level =
          kube::IsAlreadyExists(created.error()) ? spdlog::level::info : spdlog::level::warn;
      log_.Write(level, "error creating lease", {{"error", created.error().ToString()}});
      return false;
    }
    lease_ = std::move(created.value());
    Observe(record);
    return true;
  }

  lease_ = std::move(got.value());
  const auto current = RecordFromLease(*lease_);
  if (!(current == observed_)) Observe(current);
  const bool valid = LeaseValid(observed_, observed_at_, Clock::now());
  auto next = NextRecord(current, valid, config_.identity, LeaseSeconds(), now);
  if (!next) return false;  // held by somebody else whose lease is still running
  return TryUpdate(*next);
}

bool LeaderElector::TryUpdate(const LeaderElectionRecord& record) {
  kube::Object lease = *lease_;
  if (!lease["spec"].is_object()) lease["spec"] = kube::Object::object();
  const kube::Object spec = LeaseSpecFromRecord(record);
  for (auto& [key, value] : spec.items()) lease["spec"][key] = value;
  auto updated = client_->Update(kube::resources::kLeases, config_.namespace_name, lease);
  if (!updated.ok()) {
    // A 409 means another replica wrote first; the next try reads the Lease again.
    const auto level = kube::IsConflict(updated.error()) ? spdlog::level::info : spdlog::level::warn;
    log_.Write(level, "failed to update lease", {{"error", updated.error().ToString()}});
    lease_.reset();
    return false;
  }
  lease_ = std::move(updated.value());
  Observe(record);
  return true;
}

void LeaderElector::Release() {
  if (!lease_) {
    auto got = client_->Get(kube::resources::kLeases, config_.namespace_name, config_.name);
    if (!got.ok()) {
      log_.Warn("could not read lease to release it", {{"error", got.error().ToString()}});
      return;
    }
    lease_ = std::move(got.value());
    observed_ = RecordFromLease(*lease_);
  }
  if (observed_.holder_identity != config_.identity) return;
  if (TryUpdate(ReleasedRecord(observed_, WallNow()))) {
    log_.Info("released leader lease");
  } else {
    log_.Warn("could not release leader lease; a standby takes over when it expires");
  }
}

void LeaderElector::Observe(const LeaderElectionRecord& record) {
  observed_ = record;
  observed_at_ = Clock::now();
  if (record.holder_identity.empty() || record.holder_identity == reported_leader_) return;
  reported_leader_ = record.holder_identity;
  {
    std::lock_guard lock(mu_);
    current_leader_ = reported_leader_;
  }
  if (reported_leader_ != config_.identity) log_.Info("new leader observed", {{"leader", reported_leader_}});
  if (config_.callbacks.on_new_leader) config_.callbacks.on_new_leader(reported_leader_);
}

void LeaderElector::SetLeading(bool leading) {
  leading_ = leading;
  if (config_.set_is_leader) config_.set_is_leader(leading);
}

bool LeaderElector::SleepFor(milliseconds d) {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, d, [this] { return stopping_; });
  return !stopping_;
}

milliseconds LeaderElector::Jittered(milliseconds d) {
  // client-go JitterUntil: d + rand[0, 1) * factor * d.
  thread_local std::mt19937 rng{std::random_device{}()};
  std::uniform_real_distribution<double> u(0.0, 1.0);
  return d + milliseconds(static_cast<long long>(u(rng) * kJitterFactor * d.count()));
}

}  // namespace keyroll::runtime
