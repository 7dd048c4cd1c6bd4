// test_gate: a latch a task can block on until the test opens it (a hung provider call).
#pragma once

#include <condition_variable>
#include <mutex>

namespace keyroll::testing {

struct Gate {
  std::mutex mu;
  std::condition_variable cv;
  bool open = false;
  void Wait() {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return open; });
  }
  void Open() {
    std::lock_guard lock(mu);
    open = true;
    cv.notify_all();
  }
};

}  // namespace keyroll::testing
