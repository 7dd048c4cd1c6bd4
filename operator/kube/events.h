// events: record core/v1 Events about an object (what `kubectl describe` shows).
// Identical repeats (same object, type, reason, message) bump count and lastTimestamp on
// the existing Event with a merge patch instead of creating a new one.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>

#include "operator/kube/client.h"

namespace keyroll::kube {

enum class EventType { kNormal, kWarning };

class EventRecorder {
 public:
  // `component` is the reporting controller, e.g. "keyroll". Repeats are recognised among
  // the last `remembered` distinct Events (client-go's aggregation cache holds 4,096).
  EventRecorder(Client& client, std::string component, size_t remembered = 4096);

  // `involved` must carry apiVersion, kind and metadata (name, namespace, uid).
  // Messages must never contain key material. Failures are logged and returned.
  EmptyResult Record(const nlohmann::json& involved, EventType type, const std::string& reason,
                     const std::string& message);

 private:
  struct Seen {
    std::string event_name;
    int count = 1;
    std::chrono::steady_clock::time_point created;
    uint64_t seq = 0;
  };
  // Bounded in number and by the API server's default Event TTL (1 h): every rotation brings
  // new messages, so an unbounded map only grows.
  static constexpr std::chrono::hours kSeenFor{1};
  void ForgetOldLocked();

  // The aggregation key (involved object, type, reason, message) as 128 bits of its SHA-256:
  // the key itself is ~200 bytes, and is held twice for each of 4,096 Events.
  using AggregationKey = std::array<unsigned char, 16>;
  static AggregationKey KeyOf(const std::string& text);

  Client& client_;
  std::string component_;
  size_t remembered_;
  std::mutex mu_;
  std::map<AggregationKey, Seen> seen_;  // -> the Event we created
  std::deque<std::pair<AggregationKey, uint64_t>> order_;  // (key, seq) oldest first
  uint64_t seq_ = 0;
};

// Now as RFC 3339 in UTC, seconds precision ("2026-11-22T03:07:45Z").
std::string NowRfc3339();

}  // namespace keyroll::kube
