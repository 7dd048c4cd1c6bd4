// provider_io: where provider reads run — never on the reconcile workers, so that an account
// whose endpoint hangs holds no worker. Each call gets a thread of its own, up to
// `max_threads` at once; more wait in a queue, calls for accounts that have not been
// failing first (a handful of hung accounts cannot starve the healthy ones). Threads are
// detached: Close() (and shutdown) never waits for a call that hangs; a call finishing after
// Close() must touch nothing that Close() protects (see ProviderCache's Sink).
#pragma once

#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>

namespace keyroll::controller {

class ProviderIo {
 public:
  // reserve: threads only calls of accounts that have not been failing may take; by default
  // an eighth of max_threads (none below 8 threads).
  explicit ProviderIo(size_t max_threads, std::optional<size_t> reserve = std::nullopt);
  ~ProviderIo();  // Close()
  ProviderIo(const ProviderIo&) = delete;
  ProviderIo& operator=(const ProviderIo&) = delete;

  // Runs task on a provider thread (at once when one is free). `suspect`: the account has been
  // failing, so its call goes after the others when calls queue.
  void Run(std::function<void()> task, bool suspect);
  // Drops the queued calls; running ones end on their own.
  void Close();
  size_t running() const;
  size_t running_suspect() const;

 private:
  struct Shared {
    mutable std::mutex mu;
    std::deque<std::function<void()>> healthy, suspect;
    size_t running = 0;
    size_t max = 1;
    size_t suspect_running = 0;
    size_t suspect_max = 1;  // max - reserve
    bool closed = false;
  };
  static void Loop(std::shared_ptr<Shared> shared, std::function<void()> task, bool suspect);
  std::shared_ptr<Shared> shared_;
};

}  // namespace keyroll::controller
