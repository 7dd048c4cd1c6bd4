// leader_election: LeaderElector, client-go/controller-runtime style leader election on a
// coordination.k8s.io/v1 Lease. Acquire (create, or take over once the holder's lease has
// run out as observed on the LOCAL clock), renew every retry period, lose leadership when
// renewing has failed for the renew deadline, release on a clean Stop() so a standby takes
// over at once (ReleaseOnCancel). Conflicts (409) mean somebody else wrote first: retry.
// Errors are logged and retried; nothing here throws after construction.
//
// Wiring (as controller-runtime does it): start the elector, start workers in
// on_started_leading; on_stopped_leading after a LOST lease means "exit the process" (another
// replica may already lead). For a clean shutdown stop the workers first, then call Stop().
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "operator/runtime/leader_election_record.h"
#include "operator/log/logging.h"
#include "operator/kube/client.h"

namespace keyroll::runtime {

struct LeaderElectionCallbacks {
  // On the elector's thread, once leadership is acquired. Must not block for long (start
  // workers and return): renewing waits for it.
  std::function<void()> on_started_leading;
  // Once, after leading ends: the lease was lost (renew deadline passed) or Stop() released it.
  // Not called if this replica never led.
  std::function<void()> on_stopped_leading;
  // Whenever the observed (non-empty) holder changes, including to this identity.
  std::function<void(const std::string& identity)> on_new_leader;
};

struct LeaderElectionConfig {
  std::string namespace_name;         // "" = the client's default namespace (in-cluster: the pod's)
  std::string name = "keyroll-leader";  // the Lease's name
  std::string identity;               // "" = DefaultLeaderIdentity()
  std::chrono::milliseconds lease_duration{std::chrono::seconds(15)};
  std::chrono::milliseconds renew_deadline{std::chrono::seconds(10)};
  std::chrono::milliseconds retry_period{std::chrono::seconds(2)};
  // Per-request connect/read timeout of the elector's own connection pool; 0 = derived,
  // (lease_duration - renew_deadline) / 2, so a hung renewal cannot outlive the lease.
  std::chrono::milliseconds request_timeout{0};
  bool release_on_cancel = true;  // Stop() empties holderIdentity (client-go ReleaseOnCancel)
  LeaderElectionCallbacks callbacks;
  // Metrics hook for keyroll_leader_is_leader: false at start, true/false on every change.
  std::function<void(bool)> set_is_leader;
};

// hostname + "_" + a random UUID, as controller-runtime builds its leader election id.
std::string DefaultLeaderIdentity();

// "" when valid, else why not: client-go's rules (lease > renew deadline > 1.2 * retry, all > 0,
// whole-second lease, non-empty name).
std::string ValidateLeaderElectionConfig(const LeaderElectionConfig& config);

class LeaderElector {
 public:
  // Throws std::invalid_argument for an invalid config (see Validate...) and
  // std::runtime_error if the dedicated client cannot be made from client.config().
  LeaderElector(kube::Client& client, LeaderElectionConfig config);
  ~LeaderElector();  // Stop(); never destroy it from its own callbacks
  LeaderElector(const LeaderElector&) = delete;
  LeaderElector& operator=(const LeaderElector&) = delete;

  // Runs the election on its own thread (once). Ends by itself when the lease is lost.
  void Start();
  // Ends the election: releases the lease if leading (release_on_cancel), calls
  // on_stopped_leading if it led, joins the thread (from a callback it only asks the thread
  // to end). Idempotent.
  void Stop();
  // Tests only — a kill -9: the thread ends without releasing and without callbacks.
  void Abandon();

  bool IsLeader() const { return leading_.load(); }
  // True once the election thread has ended (lost lease, Stop or Abandon).
  bool Done() const { return done_.load(); }
  std::string CurrentLeader() const;  // last observed holder ("" if none seen)
  const std::string& identity() const { return config_.identity; }
  const std::string& lease_namespace() const { return config_.namespace_name; }
  const std::string& lease_name() const { return config_.name; }

 private:
  void Run();
  bool AcquireLoop();  // true once leading; false when stopping
  void RenewLoop();    // returns when lost or stopping
  bool TryAcquireOrRenew();
  bool TryUpdate(const LeaderElectionRecord& record);
  void Release();
  void Observe(const LeaderElectionRecord& record);
  void SetLeading(bool leading);
  bool SleepFor(std::chrono::milliseconds d);  // false if stopping
  std::chrono::milliseconds Jittered(std::chrono::milliseconds d);
  int LeaseSeconds() const;

  LeaderElectionConfig config_;
  std::unique_ptr<kube::Client> client_;
  log::Logger log_;

  // Elector-thread state.
  std::optional<kube::Object> lease_;  // the Lease as last read or written (resourceVersion)
  LeaderElectionRecord observed_;
  std::chrono::steady_clock::time_point observed_at_{};
  std::string reported_leader_;

  std::atomic<bool> leading_{false};
  std::atomic<bool> done_{false};
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  bool abandon_ = false;
  std::string current_leader_;
  std::thread thread_;
};

}  // namespace keyroll::runtime
