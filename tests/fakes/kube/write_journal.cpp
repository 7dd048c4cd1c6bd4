#include "tests/fakes/kube/write_journal.h"

#include "tests/fakes/kube/object_store.h"

namespace keyroll::fakes {

Writer& CurrentWriter() {
  thread_local Writer writer;
  return writer;
}

void WriteJournal::Add(const StoreEvent& event, const Writer& writer) {
  const json& meta = (*event.object)["metadata"];
  auto kept = event.storage_key == "/secrets" ? std::make_shared<const std::string>(json{{"metadata", meta}}.dump())
                                              : event.text;
  std::lock_guard lock(mu_);
  entries_.push_back({event.rv, event.type, event.storage_key, meta.value("namespace", ""), meta.value("name", ""),
                      writer, std::move(kept)});
  while (entries_.size() > limit_) {
    entries_.pop_front();
    ++dropped_;
  }
}

json WriteJournal::Read(const std::string& ns) const {
  std::lock_guard lock(mu_);
  json entries = json::array();
  for (const auto& e : entries_) {
    if (!ns.empty() && e.ns != ns) continue;
    entries.push_back({{"rv", e.rv},
                       {"type", e.type},
                       {"resource", e.resource},
                       {"namespace", e.ns},
                       {"name", e.name},
                       {"verb", e.writer.verb},
                       {"subresource", e.writer.subresource},
                       {"user_agent", e.writer.user_agent},
                       {"field_manager", e.writer.field_manager},
                       {"object", json::parse(*e.object)}});
  }
  return {{"dropped", dropped_}, {"entries", entries}};
}

}  // namespace keyroll::fakes
