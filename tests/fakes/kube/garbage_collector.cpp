#include "tests/fakes/kube/garbage_collector.h"

#include "tests/fakes/kube/api_error.h"
#include "tests/fakes/kube/mutations.h"

namespace keyroll::fakes {

GarbageCollector::GarbageCollector(ServerState& state) : state_(state) {
  thread_ = std::thread([this] { Run(); });
}

GarbageCollector::~GarbageCollector() {
  stop_ = true;
  state_.store.Wake();
  thread_.join();
}

void GarbageCollector::Run() {
  uint64_t seen = state_.store.GcEpoch();
  while (!stop_) {
    if (state_.store.GcEpoch() == seen) {
      state_.store.WaitForGcEpoch(seen, std::chrono::milliseconds(200));
      continue;
    }
    std::this_thread::sleep_for(state_.settings.gc_delay);
    seen = state_.store.GcEpoch();
    CollectOnce();
  }
}

void GarbageCollector::CollectOnce() {
  for (const auto& [key, object] : state_.store.Orphans()) {
    auto type = state_.registry.FindByStorageKey(key);
    if (!type) continue;
    const json& meta = object["metadata"];
    Target target{*type, type->versions.front(), meta.value("namespace", ""), meta.value("name", "")};
    json options = {{"preconditions", {{"uid", meta.value("uid", "")}}}};
    try {
      DeleteObject(state_, target, options);
    } catch (const std::exception&) {
      // replaced or deleted meanwhile; the collector itself must never die
    }
  }
}

}  // namespace keyroll::fakes
