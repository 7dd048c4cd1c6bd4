// fresh_reader: read-your-writes over an informer cache. After the controller writes an
// object it records the write's answer; until the cache shows that version (or a later one),
// reads of the object get the answer instead of the lagging cache, so a reconcile never acts
// on the state from before its own write (which would only produce a 409 or a needless
// second write), and costs no GET for it. Only when the cache shows a version it cannot place
// (neither the one it held before the write nor ours) does a read go to the API server. A
// write refused with 409 says the cache is behind too (Stale): reads go live until the cache
// shows what the server showed.
// However long the cache lags (a watch down through an API server outage is retried after
// up to 30-60 s), it is not trusted before it catches up: trusting it again after a fixed
// time made every write 409 until the watch came back (RobustnessApiFaults.InternalErrorStorms).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "operator/kube/cache.h"
#include "operator/kube/client.h"

namespace keyroll::controller {

class FreshReader {
 public:
  // `store` is an informer's store holding projections made by `projection`. With
  // `keep_answers` a lagging cache is bridged by our write's answer, kept until the cache
  // catches up; without it, by a GET. Worth its memory where writes are few and reads
  // after them many (restart patches, whose rollouts wake the resource); not for every status
  // write and Secret of a cold start, whose later reads seldom find the cache behind.
  FreshReader(kube::Client& client, kube::ResourceRef resource, const kube::Store& store,
              kube::Projection projection, bool keep_answers = false);

  // What the cache holds just before we send a write (take it before the request: a watch
  // may deliver our write, and later ones, before the answer is handled).
  struct Prior {
    std::string resource_version;  // "" = not in the cache
    int64_t generation = 0;
  };
  Prior Before(const std::string& ns, const std::string& name) const;
  // Records our own write: the API server's answer (the full object) and Before()'s reading.
  void Wrote(const std::string& ns, const std::string& name, const nlohmann::json& answer, const Prior& prior);
  // Records a write refused as a conflict: the server holds a version the cache lacks.
  void Stale(const std::string& ns, const std::string& name);
  // The projection of the object: from the cache, or our last write's answer while the cache
  // still lags behind it (a GET only when the cache's version cannot be placed). nullopt when
  // it does not exist (in the cache's view).
  std::optional<nlohmann::json> Get(const std::string& ns, const std::string& name);
  // True while our last write of the object is younger than `within` and the cache still
  // shows exactly what it held before it: the write's watch event is on its way, and it wakes
  // whoever waits for the object. A caller may wait for it instead of reading live (a GET per
  // reconcile that happens to run in between). Not after a conflict (the server's version is
  // unknown) nor for an object the cache did not hold.
  bool CatchingUp(const std::string& ns, const std::string& name, std::chrono::milliseconds within);
  // Projects a full object (e.g. a write's answer) as the cache would.
  nlohmann::json Project(const nlohmann::json& full) const;
  // Drops the entries the cache has caught up with, and those older than kForgetAfter. Runs
  // every kSweepEvery as writes are recorded; callable at any time.
  void Sweep();
  // Writes whose entry is still kept (tests).
  size_t kept() const;

 private:
  kube::Client& client_;
  kube::ResourceRef resource_;
  const kube::Store& store_;
  kube::Projection projection_;
  bool keep_answers_;
  mutable std::mutex mu_;
  struct Write {
    std::string resource_version;      // the version the cache must show ("" unknown: a conflict)
    std::string cache_version_before;  // what the cache held before we wrote ("" = nothing)
    int64_t generation = 0;            // the answer's metadata.generation if our write moved it, else 0
    std::vector<uint8_t> answer;       // the projected answer, MessagePack (keep_answers only)
    std::chrono::steady_clock::time_point at;
  };
  // ns/name -> our last write; the server's latest as last read, once read live.
  std::map<std::string, Write> written_;
  std::chrono::steady_clock::time_point swept_;
  void Record(const std::string& key, Write w);
  void SweepLocked(std::chrono::steady_clock::time_point now);
  // Entries are dropped when a read, or the sweep every kSweepEvery, finds the cache caught
  // up with their version; those the cache never catches up with (a 409's entry that nobody
  // reads again), after kForgetAfter (a bound on memory: a live read refreshes an entry).
  static constexpr std::chrono::minutes kForgetAfter{10};
  static constexpr std::chrono::seconds kSweepEvery{5};
};

}  // namespace keyroll::controller
