// provider_io.cpp — see provider_io.h.
#include "operator/controller/provider_io.h"

#include <algorithm>

namespace keyroll::controller {

ProviderIo::ProviderIo(Limits limits) : shared_(std::make_shared<Shared>()) {
  Shared& s = *shared_;
  s.max = std::max<size_t>(limits.slots, 1);
  const size_t kept = std::min(limits.reserve.value_or(s.max / 8), s.max - 1);
  s.suspect_max = s.max - kept;
  s.max_slow = limits.max_slow;
  s.slow_after = limits.slow_after;
  watcher_ = std::thread(Watch, shared_);
}

ProviderIo::~ProviderIo() {
  Close();
  watcher_.join();  // it waits on `changed` only, never on a call
}

std::shared_ptr<ProviderIo::Call> ProviderIo::Shared::Admit(bool is_suspect) {
  auto call = std::make_shared<Call>();
  call->suspect = is_suspect;
  call->started = Clock::now();
  ++running;
  if (is_suspect) {
    ++suspect_running;
  } else {
    call->watched = watched.insert(watched.end(), call);
  }
  return call;
}

std::optional<ProviderIo::Start> ProviderIo::Shared::Next() {
  if (closed || running >= max) return std::nullopt;
  const bool is_suspect = healthy.empty();
  auto& queue = is_suspect ? suspect : healthy;
  if (queue.empty() || (is_suspect && suspect_running >= suspect_max)) return std::nullopt;
  Start start{Admit(is_suspect), std::move(queue.front())};
  queue.pop_front();
  return start;
}

void ProviderIo::Shared::Release(Call& call) {
  if (call.slow) {
    --slow;
  } else {
    --running;
    if (call.suspect) {
      --suspect_running;
    } else {
      watched.erase(call.watched);
    }
  }
  changed.notify_all();
}

bool ProviderIo::Shared::WaitingCallCouldStart() const {
  return !healthy.empty() || (!suspect.empty() && suspect_running < suspect_max);
}

void ProviderIo::Run(std::function<void()> task, bool suspect) {
  std::shared_ptr<Call> call;
  {
    std::lock_guard lock(shared_->mu);
    Shared& s = *shared_;
    if (s.closed) return;
    if (s.running >= s.max || (suspect && s.suspect_running >= s.suspect_max)) {
      (suspect ? s.suspect : s.healthy).push_back(std::move(task));
      s.changed.notify_all();
      return;
    }
    call = s.Admit(suspect);
  }
  std::vector<Start> start;
  start.push_back({std::move(call), std::move(task)});
  Spawn(shared_, std::move(start));
}

void ProviderIo::Spawn(const std::shared_ptr<Shared>& shared, std::vector<Start> starts) {
  for (auto& s : starts) std::thread(Loop, shared, std::move(s.call), std::move(s.task)).detach();
}

void ProviderIo::Loop(std::shared_ptr<Shared> shared, std::shared_ptr<Call> call, std::function<void()> task) {
  for (;;) {
    task();
    task = nullptr;  // what it captured goes before the next call, not after
    std::lock_guard lock(shared->mu);
    shared->Release(*call);
    auto next = shared->Next();
    if (!next) return;
    call = std::move(next->call);
    task = std::move(next->task);
  }
}

void ProviderIo::Watch(std::shared_ptr<Shared> shared) {
  Shared& s = *shared;
  std::unique_lock lock(s.mu);
  while (!s.closed) {
    if (!s.WaitingCallCouldStart() || s.watched.empty() || s.slow >= s.max_slow) {
      s.changed.wait(lock);
      continue;
    }
    const auto due = s.watched.front()->started + s.slow_after;
    if (Clock::now() < due) {
      s.changed.wait_until(lock, due);
      continue;
    }
    auto turned_slow = s.watched.front();
    s.watched.pop_front();
    turned_slow->slow = true;
    --s.running;
    ++s.slow;
    std::vector<Start> starts;
    while (auto next = s.Next()) starts.push_back(std::move(*next));
    lock.unlock();
    Spawn(shared, std::move(starts));
    lock.lock();
  }
}

void ProviderIo::Close() {
  std::lock_guard lock(shared_->mu);
  shared_->closed = true;
  shared_->healthy.clear();
  shared_->suspect.clear();
  shared_->changed.notify_all();
}

size_t ProviderIo::running() const {
  std::lock_guard lock(shared_->mu);
  return shared_->running;
}

size_t ProviderIo::running_suspect() const {
  std::lock_guard lock(shared_->mu);
  return shared_->suspect_running;
}

bool ProviderIo::Hanging() const {
  std::lock_guard lock(shared_->mu);
  const Shared& s = *shared_;
  return s.slow > 0 || (!s.watched.empty() && Clock::now() - s.watched.front()->started > s.slow_after);
}

size_t ProviderIo::slow() const {
  std::lock_guard lock(shared_->mu);
  return shared_->slow;
}

}  // namespace keyroll::controller
