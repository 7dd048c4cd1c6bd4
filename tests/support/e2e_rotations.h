// e2e_rotations: watches one QStash fake account (or any provider, through a Sampler: the
// Auth0 fake's rotations or revocations) from the test side. A thread reads the
// account every ~20 ms and records each rotation it sees (the counter moved) with the
// keysHash of the keys that were current before it, so tests can check the consumer gate
// afterwards: every consumer had rolled out those keys before the rotation was seen.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "tests/fakes/qstash/fake_qstash.h"

namespace keyroll::testing {

class WorkloadSimulator;

struct ObservedRotation {
  int count_after = 0;           // the fake's counter after this rotation
  std::string keys_hash_before;  // rotation::KeysHash of (current, next) before it
  std::chrono::steady_clock::time_point seen;
};

class RotationRecorder {
 public:
  // What the provider shows now: a counter of the changes to record (rotations, or an Auth0
  // fake's revocations) and rotation::KeysHash of its current/next keys; nullopt when unknown.
  struct Sample {
    int count = 0;
    std::string keys_hash;
  };
  using Sampler = std::function<std::optional<Sample>()>;

  RotationRecorder(const fakes::FakeQStash& qstash, std::string token);
  explicit RotationRecorder(Sampler sampler);
  ~RotationRecorder();
  RotationRecorder(const RotationRecorder&) = delete;
  RotationRecorder& operator=(const RotationRecorder&) = delete;

  std::vector<ObservedRotation> Rotations() const;
  // Empty when every rotation came after each of `consumers` completed a rollout of the
  // keys current before it; otherwise one line per violation (no key material).
  std::vector<std::string> GateViolations(const WorkloadSimulator& sim,
                                          const std::vector<std::string>& consumers) const;

 private:
  void Loop();

  Sampler sampler_;
  mutable std::mutex mu_;
  std::vector<ObservedRotation> rotations_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace keyroll::testing
