// fresh_reader: read-your-writes over an informer cache. After the controller writes an
// object it records the resourceVersion it got back; until the cache shows that version,
// reads of the object go to the API server (one GET) instead of the lagging cache, so a
// reconcile never acts on the state from before its own write (which would only produce
// a 409 or a needless second write). A write refused with 409 says the cache is behind too
// (Stale): reads go live until the cache shows what the server showed.
// However long the cache lags (a watch down through an API server outage is retried after
// up to 30-60 s), reads stay live: trusting the cache again after a fixed time made every
// write 409 until the watch came back (RobustnessApiFaults.InternalErrorStorms).
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
  // Records a write refused as a conflict: the server holds a version the cache lacks.
  void Stale(const std::string& ns, const std::string& name);
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
  // ns/name -> the version the cache must show before it is trusted again ("" unknown: a
  // conflict); the server's latest as last read, once read live.
  std::map<std::string, Write> written_;
  std::chrono::steady_clock::time_point swept_;
  void Record(const std::string& key, const std::string& resource_version);
  // Entries are dropped when a read finds the cache caught up; those of objects nobody reads
  // again, after this (a bound on memory: a live read refreshes an entry).
  static constexpr std::chrono::minutes kForgetAfter{10};
  static constexpr std::chrono::seconds kSweepEvery{5};
};

}  // namespace keyroll::controller
