#include "operator/runtime/workqueue.h"

#include <algorithm>
#include <cmath>

namespace keyroll::runtime {

namespace {
double Seconds(QueueClock::duration d) { return std::chrono::duration<double>(d).count(); }
}  // namespace

Workqueue::Workqueue(WorkqueueOptions options) : options_(std::move(options)) {
  if (!options_.now) options_.now = [] { return QueueClock::now(); };
  if (options_.base_delay.count() < 1) options_.base_delay = std::chrono::milliseconds(1);
  if (options_.max_delay < options_.base_delay) options_.max_delay = options_.base_delay;
}

QueueTime Workqueue::Now() const { return options_.now(); }

void Workqueue::Add(const std::string& key, Lane lane) {
  std::lock_guard lock(mu_);
  AddLocked(key, lane);
}

void Workqueue::AddLocked(const std::string& key, Lane lane) {
  if (shutting_down_) return;
  const bool urgent = lane == Lane::kUrgent;
  if (dirty_.count(key)) {
    if (!urgent || urgent_keys_.count(key)) return;
    urgent_keys_.insert(key);
    if (processing_.count(key)) return;  // Done() queues it, in the urgent lane
    ++moved_[key];                       // its normal-lane entry is left behind
    --ready_;
    PushLocked(key);
    return;
  }
  dirty_.insert(key);
  if (urgent) urgent_keys_.insert(key);
  added_at_[key] = Now();
  if (options_.metrics) options_.metrics->Added();
  if (processing_.count(key)) return;  // Done() queues it again
  PushLocked(key);
}

void Workqueue::PushLocked(const std::string& key) {
  (urgent_keys_.count(key) ? urgent_ : queue_).push_back(key);
  ++ready_;
  ReportDepthLocked();
  cv_.notify_one();
}

void Workqueue::AddAfter(const std::string& key, std::chrono::milliseconds delay) {
  std::lock_guard lock(mu_);
  if (shutting_down_) return;
  if (delay.count() <= 0) {
    AddLocked(key);
    return;
  }
  AddAfterLocked(key, Now() + delay);
}

void Workqueue::AddAfterLocked(const std::string& key, QueueTime when) {
  auto it = waiting_.find(key);
  if (it != waiting_.end()) {
    if (it->second <= when) return;  // an earlier request wins
    waiting_by_time_.erase({it->second, &it->first});
    it->second = when;
  } else {
    it = waiting_.emplace(key, when).first;
  }
  waiting_by_time_.insert({when, &it->first});
  cv_.notify_all();  // a sleeping Get() may need to wake earlier
}

std::chrono::milliseconds Workqueue::Backoff(int failures) const {
  if (failures < 1) failures = 1;
  // Doubling past 2^40 overflows nothing in double and is capped anyway.
  double ms = static_cast<double>(options_.base_delay.count()) *
              std::pow(2.0, std::min(failures - 1, 62));
  double cap = static_cast<double>(options_.max_delay.count());
  return std::chrono::milliseconds(static_cast<long long>(std::min(ms, cap)));
}

void Workqueue::AddRateLimited(const std::string& key) {
  std::lock_guard lock(mu_);
  if (shutting_down_) return;
  int failures = ++failures_[key];
  if (options_.metrics) options_.metrics->Retry();
  AddAfterLocked(key, Now() + Backoff(failures));
}

void Workqueue::Forget(const std::string& key) {
  std::lock_guard lock(mu_);
  failures_.erase(key);
}

int Workqueue::NumRequeues(const std::string& key) const {
  std::lock_guard lock(mu_);
  auto it = failures_.find(key);
  return it == failures_.end() ? 0 : it->second;
}

void Workqueue::PromoteDueLocked(QueueTime now) {
  while (!waiting_by_time_.empty() && waiting_by_time_.begin()->first <= now) {
    std::string key = *waiting_by_time_.begin()->second;
    waiting_by_time_.erase(waiting_by_time_.begin());
    waiting_.erase(key);
    AddLocked(key);
  }
}

std::optional<std::string> Workqueue::PopLocked() {
  // Skip the entries of keys that moved to the urgent lane.
  auto drop_moved = [this] {
    while (!queue_.empty()) {
      auto it = moved_.find(queue_.front());
      if (it == moved_.end()) return;
      if (--it->second == 0) moved_.erase(it);
      queue_.pop_front();
    }
  };
  drop_moved();
  if (urgent_.empty() && queue_.empty()) return std::nullopt;
  const bool take_normal = urgent_.empty() || (!queue_.empty() && urgent_run_ + 1 >= kNormalEvery);
  std::deque<std::string>& lane = take_normal ? queue_ : urgent_;
  urgent_run_ = take_normal ? 0 : urgent_run_ + 1;
  std::string key = std::move(lane.front());
  lane.pop_front();
  --ready_;
  urgent_keys_.erase(key);
  QueueTime now = Now();
  processing_[key] = now;
  dirty_.erase(key);
  if (auto it = added_at_.find(key); it != added_at_.end()) {
    if (options_.metrics) options_.metrics->QueueLatency(Seconds(now - it->second));
    added_at_.erase(it);
  }
  ReportDepthLocked();
  return key;
}

std::optional<std::string> Workqueue::Get() {
  std::unique_lock lock(mu_);
  while (true) {
    if (shutting_down_) return std::nullopt;
    PromoteDueLocked(Now());
    if (auto key = PopLocked()) return key;
    if (waiting_by_time_.empty()) {
      cv_.wait(lock);
    } else {
      auto remaining = waiting_by_time_.begin()->first - Now();
      cv_.wait_for(lock, std::max(remaining, QueueClock::duration::zero()));
    }
  }
}

std::optional<std::string> Workqueue::TryGet() {
  std::lock_guard lock(mu_);
  if (shutting_down_) return std::nullopt;
  PromoteDueLocked(Now());
  return PopLocked();
}

void Workqueue::Done(const std::string& key) {
  std::lock_guard lock(mu_);
  auto it = processing_.find(key);
  if (it == processing_.end()) return;
  if (options_.metrics) options_.metrics->WorkDuration(Seconds(Now() - it->second));
  processing_.erase(it);
  if (dirty_.count(key) && !shutting_down_) PushLocked(key);
}

void Workqueue::ShutDown() {
  std::lock_guard lock(mu_);
  shutting_down_ = true;
  cv_.notify_all();
}

bool Workqueue::ShuttingDown() const {
  std::lock_guard lock(mu_);
  return shutting_down_;
}

void Workqueue::Wake() {
  std::lock_guard lock(mu_);
  cv_.notify_all();
}

std::size_t Workqueue::Len() const {
  std::lock_guard lock(mu_);
  return ready_;
}

std::size_t Workqueue::WaitingLen() const {
  std::lock_guard lock(mu_);
  return waiting_.size();
}

std::chrono::milliseconds Workqueue::LongestProcessing() const {
  std::lock_guard lock(mu_);
  QueueTime now = Now();
  QueueClock::duration longest{};
  for (const auto& [key, since] : processing_) longest = std::max(longest, now - since);
  return std::chrono::duration_cast<std::chrono::milliseconds>(longest);
}

void Workqueue::ReportDepthLocked() {
  if (options_.metrics) options_.metrics->Depth(ready_);
}

}  // namespace keyroll::runtime
