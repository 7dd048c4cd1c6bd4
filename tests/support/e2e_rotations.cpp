#include "tests/support/e2e_rotations.h"

#include "tests/support/e2e_workloads.h"

namespace keyroll::testing {

RotationRecorder::RotationRecorder(Sampler sampler) : sampler_(std::move(sampler)), thread_([this] { Loop(); }) {}

RotationRecorder::~RotationRecorder() {
  stop_ = true;
  thread_.join();
}

void RotationRecorder::Loop() {
  auto last = sampler_();
  while (!stop_) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    auto now = sampler_();
    if (!now || !last) {
      last = now;
      continue;
    }
    if (now->count != last->count) {
      std::lock_guard lock(mu_);
      rotations_.push_back({now->count, last->keys_hash, std::chrono::steady_clock::now()});
    }
    last = now;
  }
}

std::vector<ObservedRotation> RotationRecorder::Rotations() const {
  std::lock_guard lock(mu_);
  return rotations_;
}

std::vector<std::string> RotationRecorder::GateViolations(const WorkloadSimulator& sim,
                                                          const std::vector<std::string>& consumers) const {
  std::vector<std::string> out;
  for (const auto& r : Rotations()) {
    for (const auto& c : consumers) {
      if (!sim.RolledOutBefore(c, r.keys_hash_before, r.seen)) {
        out.push_back("rotation #" + std::to_string(r.count_after) + " happened while consumer " + c +
                      " had not rolled out the keys current before it");
      }
    }
  }
  return out;
}

}  // namespace keyroll::testing
