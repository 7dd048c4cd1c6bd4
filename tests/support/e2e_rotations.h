// e2e_rotations: watches a provider's counter from the test side, through a Sampler: the Auth0
// fake's revocations. A thread reads it every ~20 ms and records each change it sees with the
// keysHash of the keys that were current before it, so tests can check that every consumer had
// rolled out those keys before the change was seen. A wall clock sampled every 20 ms is weak
// evidence: rotations are judged in the API server's order instead (gate_oracle.h), from the
// intent keyroll records there; a revocation leaves no intent on the server, so it is sampled.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>


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
