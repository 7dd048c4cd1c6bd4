// provider_io.cpp — see provider_io.h.
#include "operator/controller/provider_io.h"

#include <algorithm>
#include <thread>

namespace keyroll::controller {

ProviderIo::ProviderIo(size_t max_threads, std::optional<size_t> reserve) : shared_(std::make_shared<Shared>()) {
  shared_->max = max_threads == 0 ? 1 : max_threads;
  const size_t kept = std::min(reserve.value_or(shared_->max / 8), shared_->max - 1);
  shared_->suspect_max = shared_->max - kept;
}

ProviderIo::~ProviderIo() { Close(); }

void ProviderIo::Run(std::function<void()> task, bool suspect) {
  {
    std::lock_guard lock(shared_->mu);
    if (shared_->closed) return;
    const bool room = shared_->running < shared_->max && (!suspect || shared_->suspect_running < shared_->suspect_max);
    if (!room) {
      (suspect ? shared_->suspect : shared_->healthy).push_back(std::move(task));
      return;
    }
    ++shared_->running;
    if (suspect) ++shared_->suspect_running;
  }
  std::thread(Loop, shared_, std::move(task), suspect).detach();
}

void ProviderIo::Loop(std::shared_ptr<Shared> shared, std::function<void()> task, bool suspect) {
  for (;;) {
    task();
    std::lock_guard lock(shared->mu);
    if (suspect) --shared->suspect_running;
    if (!shared->closed && !shared->healthy.empty()) {
      task = std::move(shared->healthy.front());
      shared->healthy.pop_front();
      suspect = false;
    } else if (!shared->closed && !shared->suspect.empty() && shared->suspect_running < shared->suspect_max) {
      task = std::move(shared->suspect.front());
      shared->suspect.pop_front();
      suspect = true;
      ++shared->suspect_running;
    } else {
      --shared->running;
      return;
    }
  }
}

void ProviderIo::Close() {
  std::lock_guard lock(shared_->mu);
  shared_->closed = true;
  shared_->healthy.clear();
  shared_->suspect.clear();
}

size_t ProviderIo::running() const {
  std::lock_guard lock(shared_->mu);
  return shared_->running;
}

size_t ProviderIo::running_suspect() const {
  std::lock_guard lock(shared_->mu);
  return shared_->suspect_running;
}

}  // namespace keyroll::controller
