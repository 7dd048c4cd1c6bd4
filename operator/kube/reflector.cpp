#include "operator/kube/reflector.h"

#include <random>

#include <spdlog/spdlog.h>

#include "operator/kube/transport.h"

namespace keyroll::kube {

Reflector::Reflector(Client& client, ReflectorOptions options, Store& store,
                     std::function<void(const std::vector<Delta>&)> on_deltas)
    : client_(client), options_(std::move(options)), store_(store),
      on_deltas_(std::move(on_deltas)), backoff_(options_.backoff) {}

std::string Reflector::last_resource_version() const {
  std::lock_guard lock(mu_);
  return resource_version_;
}

void Reflector::SetResourceVersion(std::string rv) {
  if (rv.empty()) return;
  std::lock_guard lock(mu_);
  resource_version_ = std::move(rv);
}

void Reflector::Stop() {
  {
    std::lock_guard lock(mu_);
    stopped_ = true;
  }
  cv_.notify_all();
  canceller_.Cancel();
}

void Reflector::Sleep(std::chrono::milliseconds d) {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, d, [&] { return stopped_.load(); });
}

bool Reflector::ListAndReplace() {
  ListOptions lo;
  lo.label_selector = options_.label_selector;
  lo.field_selector = options_.field_selector;
  lo.limit = options_.page_size;
  ++stats_.lists;
  // Each item is projected and packed as its page arrives: at 20,000 Deployments the full
  // objects of one list took hundreds of MiB before the store kept a small part of each.
  Listing listing;
  auto rv = client_.ListEach(options_.resource, options_.namespace_name, lo,
                             [&](Object&& full) { store_.AddToListing(listing, full); });
  if (!rv && options_.may_be_absent && (IsNotFound(rv.error()) || IsForbidden(rv.error()))) {
    // Not served, or not permitted: an empty list (what was cached goes, as when a CRD is
    // deleted), said once.
    if (!absent_.exchange(true)) {
      if (IsForbidden(rv.error()))
        spdlog::warn("list {}: {}; treated as not installed (grant list and watch to use them); checking again "
                     "every {} s", options_.resource.plural, rv.error().ToString(),
                     options_.absent_recheck.count() / 1000);
      else
        spdlog::info("{}/{} {} is not served (not installed); checking again every {} s", options_.resource.group,
                     options_.resource.version, options_.resource.plural, options_.absent_recheck.count() / 1000);
    }
    store_.Replace(Listing{}, [&](const std::vector<Delta>& deltas) {
      if (on_deltas_) on_deltas_(deltas);
    });
    synced_ = true;
    return false;
  }
  if (!rv && !options_.absent_hint.empty() && IsNotFound(rv.error())) {
    if (!absent_.exchange(true)) spdlog::error("{}", options_.absent_hint);
    return false;
  }
  if (!rv) {
    ++stats_.errors;
    spdlog::warn("list {}: {}", options_.resource.plural, rv.error().ToString());
    return false;
  }
  if (absent_.exchange(false))
    spdlog::info("{}/{} {} is served now: watching it", options_.resource.group, options_.resource.version,
                 options_.resource.plural);
  const size_t listed = listing.size();
  // The store holds the list before the handlers hear of it (in chunks); synced only after
  // they all did, so the indexes they keep are complete when workers start.
  store_.Replace(std::move(listing), [&](const std::vector<Delta>& deltas) {
    if (on_deltas_) on_deltas_(deltas);
  });
  SetResourceVersion(*rv);
  synced_ = true;
  spdlog::debug("listed {} {} at resourceVersion {}", listed, options_.resource.plural, *rv);
  return true;
}

bool Reflector::WatchOnce() {
  WatchOptions wo;
  wo.label_selector = options_.label_selector;
  wo.field_selector = options_.field_selector;
  wo.resource_version = last_resource_version();
  wo.allow_bookmarks = true;
  static thread_local std::mt19937 rng(std::random_device{}());
  auto lo = options_.min_watch_timeout.count(), hi = std::max(options_.max_watch_timeout.count(), lo);
  wo.timeout_seconds = static_cast<int>(std::uniform_int_distribution<long long>(lo, hi)(rng));
  ++stats_.watches;
  int events = 0;
  auto started = std::chrono::steady_clock::now();
  auto result = client_.Watch(options_.resource, options_.namespace_name, wo, canceller_,
                              [&](const WatchEvent& ev) {
                                ++events;
                                if (ev.type != WatchEventType::kBookmark) {
                                  // Moved, not copied: the copies of both objects were 4 % of a cold start.
                                  if (auto d = store_.Apply(ev); d && on_deltas_) {
                                    std::vector<Delta> deltas;
                                    deltas.push_back(std::move(*d));
                                    on_deltas_(deltas);
                                  }
                                }
                                SetResourceVersion(ResourceVersionOf(ev.object));
                                return !stopped_.load();
                              });
  if (stopped_) return false;
  if (result) {
    backoff_.Reset();  // the server ended the watch (timeoutSeconds): watch again now
    return false;
  }
  const KubeError& e = result.error();
  // A watch that ran (events or a while) and then ended: resume (or relist) at once.
  // Anything else waits, so a sick server is not hammered.
  bool ran = events > 0 || std::chrono::steady_clock::now() - started > std::chrono::seconds(1);
  if (IsGone(e)) {
    ++stats_.gone;
    spdlog::info("watch {} from resourceVersion {}: {}; relisting", options_.resource.plural,
                 wo.resource_version, e.message);
    // A server that answers every watch with 410 would otherwise be relisted in a tight
    // loop (found by tests/robustness/api_faults_test.cpp, EveryWatchAnswered410).
    if (!ran) Sleep(backoff_.Next());
    return true;
  }
  // The type went away (or the permission did): the list says so.
  if (options_.may_be_absent && (IsNotFound(e) || IsForbidden(e))) return true;
  ++stats_.errors;
  if (ran && e.reason == Reason::kNetwork) {
    backoff_.Reset();
    spdlog::debug("watch {} ended: {}; resuming from {}", options_.resource.plural, e.message,
                  last_resource_version());
    return false;
  }
  // A server that said when to come back (429 + Retry-After) is obeyed as it asked, as the
  // transport does for other requests: growing the backoff for it would leave the cache
  // stale long after the throttling ended (found by tests/robustness/api_faults_test.cpp).
  std::chrono::milliseconds wait;
  if (e.retry_after && *e.retry_after <= kMaxHonouredRetryAfter) {
    wait = *e.retry_after;
  } else {
    wait = backoff_.Next();
    if (e.retry_after && *e.retry_after > wait) wait = *e.retry_after;
  }
  spdlog::warn("watch {}: {}; retrying in {} ms", options_.resource.plural, e.ToString(), wait.count());
  Sleep(wait);
  return false;
}

void Reflector::Run() {
  bool need_list = true;
  while (!stopped_) {
    if (need_list) {
      if (!ListAndReplace()) {
        Sleep(absent_ ? options_.absent_recheck : backoff_.Next());
        continue;
      }
      backoff_.Reset();
      need_list = false;
      continue;
    }
    need_list = WatchOnce();
  }
}

}  // namespace keyroll::kube
