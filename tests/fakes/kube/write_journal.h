// write_journal: every change the fake's store made, in the server's one order (its single
// resourceVersion counter), with who made it: verb, subresource, User-Agent and fieldManager
// of the request (empty for the server's own writes, such as garbage collection), and the
// object as stored after the change. Tests judge what happened before what by it (GET
// /_fake/journal), instead of by clocks sampled on their side. A Secret's values are left out
// (only its metadata is kept): the journal is test output and must hold no key material.
// Bounded: past `limit` entries the oldest go, counted in "dropped".
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

namespace keyroll::fakes {

struct StoreEvent;

struct Writer {
  std::string verb, subresource, user_agent, field_manager;
};

// The writer of the request this thread serves; empty outside a WriterScope.
Writer& CurrentWriter();

// Makes `writer` this thread's CurrentWriter() for the scope's length (HandleWrite's).
class WriterScope {
 public:
  explicit WriterScope(Writer writer) { CurrentWriter() = std::move(writer); }
  ~WriterScope() { CurrentWriter() = {}; }
  WriterScope(const WriterScope&) = delete;
  WriterScope& operator=(const WriterScope&) = delete;
};

class WriteJournal {
 public:
  explicit WriteJournal(size_t limit = 10000) : limit_(limit) {}
  void Add(const StoreEvent& event, const Writer& writer);  // in resourceVersion order
  // {"dropped": N, "entries": [{"rv","type","resource","namespace","name","verb","subresource",
  // "user_agent","field_manager","object"}]}, of namespace `ns` ("" = all), oldest first.
  nlohmann::json Read(const std::string& ns) const;

 private:
  struct Entry {
    int64_t rv = 0;
    std::string type, resource, ns, name;
    Writer writer;
    // JSON text: a tenth of a parsed object's memory; but for a Secret's, the event's own.
    std::shared_ptr<const std::string> object;
  };
  mutable std::mutex mu_;
  std::deque<Entry> entries_;
  size_t limit_;
  uint64_t dropped_ = 0;
};

}  // namespace keyroll::fakes
