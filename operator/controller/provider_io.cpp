// provider_io.cpp — see provider_io.h.
#include "operator/controller/provider_io.h"

#include <thread>

namespace keyroll::controller {

ProviderIo::ProviderIo(size_t max_threads) : shared_(std::make_shared<Shared>()) {
  shared_->max = max_threads == 0 ? 1 : max_threads;
}

ProviderIo::~ProviderIo() { Close(); }

void ProviderIo::Run(std::function<void()> task, bool suspect) {
  {
    std::lock_guard lock(shared_->mu);
    if (shared_->closed) return;
    if (shared_->running >= shared_->max) {
      (suspect ? shared_->suspect : shared_->healthy).push_back(std::move(task));
      return;
    }
    ++shared_->running;
  }
  std::thread(Loop, shared_, std::move(task)).detach();
}

void ProviderIo::Loop(std::shared_ptr<Shared> shared, std::function<void()> task) {
  for (;;) {
    task();
    std::lock_guard lock(shared->mu);
    auto& from = !shared->healthy.empty() ? shared->healthy : shared->suspect;
    if (shared->closed || from.empty()) {
      --shared->running;
      return;
    }
    task = std::move(from.front());
    from.pop_front();
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

}  // namespace keyroll::controller
