#include "tests/bench/first_seen.h"

#include <stdexcept>

namespace keyroll::bench {

FirstSeen::FirstSeen(const kube::Config& config, kube::ResourceRef resource, std::string ns, Predicate matches)
    : resource_(std::move(resource)), ns_(std::move(ns)), matches_(std::move(matches)) {
  auto client = kube::Client::Create(config);
  if (!client) throw std::runtime_error("FirstSeen: " + client.error().ToString());
  client_ = std::move(*client);
  thread_ = std::thread([this] { Run(); });
}

FirstSeen::~FirstSeen() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    if (canceller_) canceller_->Cancel();
  }
  thread_.join();
}

std::optional<Clock::time_point> FirstSeen::When(const std::string& name) const {
  std::lock_guard lock(mu_);
  auto it = seen_.find(name);
  if (it == seen_.end()) return std::nullopt;
  return it->second;
}

size_t FirstSeen::Count() const {
  std::lock_guard lock(mu_);
  return seen_.size();
}

std::optional<Clock::time_point> FirstSeen::Last() const {
  std::lock_guard lock(mu_);
  std::optional<Clock::time_point> last;
  for (const auto& [name, t] : seen_)
    if (!last || t > *last) last = t;
  return last;
}

void FirstSeen::Run() {
  for (;;) {
    kube::StreamCanceller* canceller;
    {
      std::lock_guard lock(mu_);  // the destructor cancels under the same lock
      if (stopping_) return;
      canceller_ = std::make_unique<kube::StreamCanceller>();
      canceller = canceller_.get();
    }
    kube::WatchOptions options;
    options.timeout_seconds = 300;
    // No resourceVersion: the stream starts with ADDED for what exists, which is harmless
    // (only the first match of a name counts).
    (void)client_->Watch(resource_, ns_, options, *canceller, [this](const kube::WatchEvent& e) {
      auto now = Clock::now();
      if (e.type != kube::WatchEventType::kBookmark && e.type != kube::WatchEventType::kError && matches_(e)) {
        std::lock_guard lock(mu_);
        seen_.emplace(kube::NameOf(e.object), now);  // keeps the first time
      }
      return !stopping_.load();
    });
  }
}

}  // namespace keyroll::bench
