// fresh_reader: read-your-writes over an informer cache. After the controller writes an
// object it records the resourceVersion it got back; until the cache shows that version,
// reads of the object go to the API server (one GET) instead of the lagging cache, so a
// reconcile never acts on the state from before its own write (which would only produce
// a 409 or a needless second write).
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "operator/kube/cache.h"
#include "operator/kube/client.h"

namespace keyroll::controller {

class FreshReader {
 public:
  // `store` is an informer's store holding projections made by `projection`.
  FreshReader(kube::Client& client, kube::ResourceRef resource, const kube::Store& store,
              kube::Projection projection);

  // Records our own write (the resourceVersion of the answer).
  void Wrote(const std::string& ns, const std::string& name, const std::string& resource_version);
  // The projection of the object: from the cache, or from a GET when the cache still lags
  // behind our last write. nullopt when it does not exist (in the cache's view).
  std::optional<nlohmann::json> Get(const std::string& ns, const std::string& name);
  // Projects a full object (e.g. a write's answer) as the cache would.
  nlohmann::json Project(const nlohmann::json& full) const;

 private:
  kube::Client& client_;
  kube::ResourceRef resource_;
  const kube::Store& store_;
  kube::Projection projection_;
  std::mutex mu_;
  struct Write {
    std::string resource_version;
    std::chrono::steady_clock::time_point at;
  };
  std::map<std::string, Write> written_;  // ns/name -> our last write
  std::chrono::steady_clock::time_point swept_;
  // A watch delivers within moments: after this, the cache is trusted again.
  static constexpr std::chrono::seconds kTrustCacheAfter{5};
};

}  // namespace keyroll::controller
