// informer: a Reflector on its own thread, a Store of projections, and handlers
// (OnAdd/OnUpdate/OnDelete) called on that thread after the store changed — exactly once
// per change, also across dropped watches and 410 relists.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <thread>

#include "operator/kube/cache.h"
#include "operator/kube/reflector.h"

namespace keyroll::kube {

struct InformerOptions : ReflectorOptions {
  Projection projection;  // null: keep whole objects
  // on_update receives the object as it was before the change. Handlers that ignore it say
  // so: unpacking it costs a decode on every update.
  bool old_object_on_update = true;
};

struct InformerHandlers {
  std::function<void(const nlohmann::json& obj)> on_add;
  std::function<void(const nlohmann::json& old_obj, const nlohmann::json& new_obj)> on_update;
  std::function<void(const nlohmann::json& obj)> on_delete;
};

class Informer {
 public:
  Informer(Client& client, InformerOptions options, InformerHandlers handlers = {});
  ~Informer();  // Stop()
  Informer(const Informer&) = delete;
  Informer& operator=(const Informer&) = delete;

  void Start();
  // Returns once the thread has ended (promptly: the watch socket is shut down).
  void Stop();
  bool HasSynced() const { return reflector_.has_synced(); }
  bool WaitForSync(std::chrono::milliseconds timeout) const;

  const Store& store() const { return store_; }
  const Reflector& reflector() const { return reflector_; }

 private:
  void Dispatch(const std::vector<Delta>& deltas);

  InformerHandlers handlers_;
  Store store_;
  Reflector reflector_;
  std::thread thread_;
};

}  // namespace keyroll::kube
