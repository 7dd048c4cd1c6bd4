#include "operator/kube/informer.h"

#include <spdlog/spdlog.h>

namespace keyroll::kube {

Informer::Informer(Client& client, InformerOptions options, InformerHandlers handlers)
    : handlers_(std::move(handlers)),
      store_(options.projection, options.old_object_on_update),
      reflector_(client, static_cast<ReflectorOptions>(options), store_,
                 [this](const std::vector<Delta>& d) { Dispatch(d); }) {}

Informer::~Informer() { Stop(); }

void Informer::Start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] { reflector_.Run(); });
}

void Informer::Stop() {
  reflector_.Stop();
  if (thread_.joinable()) thread_.join();
}

bool Informer::WaitForSync(std::chrono::milliseconds timeout) const {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!HasSynced()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

void Informer::Dispatch(const std::vector<Delta>& deltas) {
  for (const auto& d : deltas) {
    // A throwing handler must not kill the informer thread.
    try {
      switch (d.type) {
        case DeltaType::kAdded:
          if (handlers_.on_add) handlers_.on_add(d.new_object);
          break;
        case DeltaType::kUpdated:
          if (handlers_.on_update) handlers_.on_update(d.old_object, d.new_object);
          break;
        case DeltaType::kDeleted:
          if (handlers_.on_delete) handlers_.on_delete(d.old_object);
          break;
      }
    } catch (const std::exception& e) {
      spdlog::error("informer handler for {} threw: {}", d.key, e.what());
    }
  }
}

}  // namespace keyroll::kube
