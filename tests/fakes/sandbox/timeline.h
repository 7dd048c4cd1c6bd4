// timeline: the sandbox's narration — one line per thing that happened, with the seconds
// since start, so a person can follow what keyroll did and why.
#pragma once

#include <chrono>
#include <mutex>
#include <string>

namespace keyroll::sandbox {

class Timeline {
 public:
  Timeline() : start_(std::chrono::steady_clock::now()) {}
  void Say(const std::string& line);     // "[  3.2s] line"
  void Detail(const std::string& line);  // indented continuation, no time

 private:
  std::chrono::steady_clock::time_point start_;
  std::mutex mu_;
};

}  // namespace keyroll::sandbox
