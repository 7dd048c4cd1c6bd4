// provider_io: where provider calls run — never on the reconcile workers, so that an account
// whose endpoint hangs holds no worker. Each call gets a thread of its own and a slot; at most
// `slots` calls hold one at once, more wait in a queue, calls of accounts that have not been
// failing first (a handful of hung accounts cannot starve the healthy ones).
//
// A slot is for a call that is getting an answer. A call of an account that has not been
// failing that is still running after `slow_after` is hanging or crawling: when calls are
// waiting, it gives its slot to the next one and goes on on its own thread (at most
// `max_slow` such threads; beyond, a slow call keeps its slot). So however many accounts
// start hanging at the same moment, each costs a slot for `slow_after`, not for its timeout.
//
// Threads are detached: Close() (and shutdown) never waits for a call that hangs; a call
// finishing after Close() must touch nothing that Close() protects (see ProviderCache's Sink).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace keyroll::controller {

class ProviderIo {
 public:
  struct Limits {
    size_t slots = 256;
    // Slots only calls of accounts that have not been failing may take; by default an eighth
    // of them (none below 8 slots). Calls of failing accounts never give their slot up.
    std::optional<size_t> reserve;
    // A healthy provider answers in well under a second; the read timeout is 10 s.
    std::chrono::milliseconds slow_after{1000};
    // Each slow call still holds a thread and its connection (tens of KiB).
    size_t max_slow = 1024;
  };
  explicit ProviderIo(Limits limits);
  explicit ProviderIo(size_t slots, std::optional<size_t> reserve = std::nullopt)
      : ProviderIo(Limits{slots, reserve}) {}
  ~ProviderIo();  // Close(); returns without waiting for calls
  ProviderIo(const ProviderIo&) = delete;
  ProviderIo& operator=(const ProviderIo&) = delete;

  // Runs task on a provider thread (at once when a slot is free). `suspect`: the account has
  // been failing, so its call goes after the others when calls queue.
  void Run(std::function<void()> task, bool suspect);
  // Drops the queued calls; running ones end on their own.
  void Close();
  size_t running() const;          // calls holding a slot
  size_t running_suspect() const;  // of those, calls of failing accounts
  size_t slow() const;             // calls that gave their slot up and still run
  // Some call of an account that has not been failing has run longer than slow_after (it
  // holds its slot or gave it up): an endpoint hangs or crawls.
  bool Hanging() const;

 private:
  using Clock = std::chrono::steady_clock;
  struct Call {
    bool suspect = false;
    bool slow = false;
    Clock::time_point started;
    std::list<std::shared_ptr<Call>>::iterator watched;  // when neither suspect nor slow
  };
  struct Start {
    std::shared_ptr<Call> call;
    std::function<void()> task;
  };
  struct Shared {
    mutable std::mutex mu;
    std::condition_variable changed;  // queued, released, closed: the watcher looks again
    std::deque<std::function<void()>> healthy, suspect;
    size_t running = 0, suspect_running = 0, slow = 0;
    size_t max = 1, suspect_max = 1, max_slow = 0;
    std::chrono::milliseconds slow_after{1000};
    std::list<std::shared_ptr<Call>> watched;  // healthy calls holding a slot, oldest first
    bool closed = false;
    // With mu held: takes a slot for a call; the next queued call that may start, if any.
    std::shared_ptr<Call> Admit(bool is_suspect);
    std::optional<Start> Next();
    void Release(Call& call);
    bool WaitingCallCouldStart() const;
  };
  static void Spawn(const std::shared_ptr<Shared>& shared, std::vector<Start> starts);
  static void Loop(std::shared_ptr<Shared> shared, std::shared_ptr<Call> call, std::function<void()> task);
  // The watcher thread: frees the slots of calls that turned slow while calls wait.
  static void Watch(std::shared_ptr<Shared> shared);
  std::shared_ptr<Shared> shared_;
  std::thread watcher_;
};

}  // namespace keyroll::controller
