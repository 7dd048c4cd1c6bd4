// leader_election_record: the pure half of leader election — the record kept in a
// coordination.k8s.io/v1 Lease (the fields client-go writes), MicroTime formatting, and the
// decisions of client-go's tryAcquireOrRenew/release as functions of what was observed and
// the time passed in. No I/O, no clocks, no threads.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace keyroll::runtime {

// metav1.MicroTime: UTC with microseconds.
using MicroTime = std::chrono::sys_time<std::chrono::microseconds>;

// "2026-11-22T03:07:45.123456Z" (always six fractional digits, as metav1.MicroTime marshals).
std::string FormatMicroTime(MicroTime t);
// RFC 3339 with 'Z' or a numeric offset and 0-9 fractional digits; nullopt if malformed.
std::optional<MicroTime> ParseMicroTime(std::string_view text);

// client-go's resourcelock.LeaderElectionRecord as stored in a Lease's spec.
struct LeaderElectionRecord {
  std::string holder_identity;  // "" when released
  int lease_duration_seconds = 0;
  std::optional<MicroTime> acquire_time;
  std::optional<MicroTime> renew_time;
  int lease_transitions = 0;

  bool operator==(const LeaderElectionRecord&) const = default;
};

// Reads a Lease's spec; missing or mistyped fields read as empty/zero (never throws).
LeaderElectionRecord RecordFromLease(const nlohmann::json& lease);
// The spec client-go writes: holderIdentity, leaseDurationSeconds, acquireTime, renewTime,
// leaseTransitions (times omitted when unset).
nlohmann::json LeaseSpecFromRecord(const LeaderElectionRecord& record);
// A whole new Lease object for Create.
nlohmann::json NewLease(const std::string& ns, const std::string& name,
                        const LeaderElectionRecord& record);

// The record a candidate writes when it creates the Lease or takes it over.
LeaderElectionRecord AcquiringRecord(const std::string& identity, int lease_duration_seconds,
                                     MicroTime now);

// client-go's isLeaseValid: the lease holds while `observed_at` (LOCAL monotonic time at which
// the record last changed, as this process saw it) plus the record's own leaseDurationSeconds
// is after `now`. Remote timestamps are never compared with the local clock (clock skew).
bool LeaseValid(const LeaderElectionRecord& observed,
                std::chrono::steady_clock::time_point observed_at,
                std::chrono::steady_clock::time_point now);

// The write tryAcquireOrRenew makes after reading `current`: nullopt when someone else
// holds a valid lease (do nothing, try later); otherwise the record to write — a renewal
// keeps acquireTime and leaseTransitions, a takeover counts one more transition.
std::optional<LeaderElectionRecord> NextRecord(const LeaderElectionRecord& current,
                                               bool current_valid, const std::string& identity,
                                               int lease_duration_seconds, MicroTime now);

// client-go's release (ReleaseOnCancel): empty holder, leaseDurationSeconds 1, both times
// now, transitions kept — a standby sees no holder and takes over at once.
LeaderElectionRecord ReleasedRecord(const LeaderElectionRecord& current, MicroTime now);

}  // namespace keyroll::runtime
