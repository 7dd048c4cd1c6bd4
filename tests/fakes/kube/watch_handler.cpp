// Watch: a chunked HTTP response with one JSON event per line. Replays history after the
// requested resourceVersion (or synthesizes ADDED events for "" / "0"), then streams live
// events, bookmarks and the 410 ERROR event; honours timeoutSeconds, selectors (an object
// that stops matching is sent as DELETED) and the watch faults. Ends when the client goes
// away or the server stops.
#include <memory>

#include "tests/fakes/kube/api_handlers.h"
#include "tests/fakes/kube/connection_probe.h"
#include "tests/fakes/kube/object_rules.h"
#include "tests/fakes/kube/selection.h"
#include "tests/fakes/kube/watch_line.h"

namespace keyroll::fakes {
namespace {

using Clock = std::chrono::steady_clock;

// Counts the watch as open for as long as its stream exists.
struct OpenWatch {
  explicit OpenWatch(RequestStats& s) : stats(s) { stats.WatchOpened(); }
  ~OpenWatch() { stats.WatchClosed(); }
  OpenWatch(const OpenWatch&) = delete;
  OpenWatch& operator=(const OpenWatch&) = delete;
  RequestStats& stats;
};

struct WatchState {
  std::unique_ptr<OpenWatch> open;
  ResourceType type;
  std::string version;
  Selection selection;
  int64_t rv = 0;  // everything up to here has been sent
  std::vector<json> initial;  // synthetic ADDED objects still to send
  bool initial_end_bookmark = false;
  bool bookmarks = false;
  Clock::time_point started, deadline, next_bookmark;
  uint64_t drop_generation = 0, expire_generation = 0;
  int fd = -1;
};

std::string Line(const std::string& type, const json& object) { return WatchLine(type, object.dump()); }

json ExpiredStatus(int64_t rv, int64_t oldest) {
  return FailureStatus(410, "Expired", "too old resource version: " + std::to_string(rv) + " (" +
                                           std::to_string(oldest) + ")");
}

json Bookmark(const WatchState& w, bool initial_events_end) {
  json meta = {{"resourceVersion", std::to_string(w.rv)}};
  if (!w.type.custom) meta["creationTimestamp"] = nullptr;
  if (initial_events_end) meta["annotations"] = {{"k8s.io/initial-events-end", "true"}};
  return {{"kind", w.type.kind}, {"apiVersion", w.type.ApiVersion(w.version)}, {"metadata", meta}};
}

// What the watcher sees of a store event, after its selection: "" when nothing.
std::string EventType(const WatchState& w, const StoreEvent& e) {
  bool now = e.type != "DELETED" && w.selection.Matches(*e.object);
  bool before = e.previous != nullptr && w.selection.Matches(*e.previous);
  if (e.type == "ADDED") return now ? "ADDED" : "";
  if (e.type == "DELETED") return before ? "DELETED" : "";
  if (now && before) return "MODIFIED";
  if (now) return "ADDED";
  if (before) return "DELETED";
  return "";
}

// One round of the stream; false aborts the connection (a dropped watch).
bool Pump(ServerState& state, WatchState& w, httplib::DataSink& sink) {
  auto finish = [&] { sink.done(); return true; };
  if (state.stopping) return finish();
  if (state.faults.drop_generation() != w.drop_generation) return false;
  auto drop_every = state.faults.drop_interval();
  if (drop_every.count() > 0 && Clock::now() - w.started >= drop_every) return false;
  if (state.faults.expire_generation() != w.expire_generation) {
    std::string line = Line("ERROR", ExpiredStatus(w.rv, state.store.CurrentRv()));
    if (!sink.write(line.data(), line.size())) return false;
    return finish();
  }
  std::string out;
  for (const auto& o : w.initial) out += WatchLine("ADDED", ServedText(w.type, w.version, o));
  w.initial.clear();
  if (w.initial_end_bookmark) {
    out += Line("BOOKMARK", Bookmark(w, true));
    w.initial_end_bookmark = false;
  }
  std::vector<std::shared_ptr<const StoreEvent>> events;
  int64_t covered = 0;
  if (!state.store.EventsAfter(w.rv, w.type.StorageKey(), &events, &covered)) {
    out += Line("ERROR", ExpiredStatus(w.rv, state.store.OldestRv()));
    sink.write(out.data(), out.size());
    return finish();
  }
  for (const auto& e : events) {
    std::string type = EventType(w, *e);
    if (!type.empty()) out += WatchLine(type, ServedText(w.type, w.version, *e->object, e->text.get()));
  }
  w.rv = covered;
  auto now = Clock::now();
  if (w.bookmarks && now >= w.next_bookmark) {
    out += Line("BOOKMARK", Bookmark(w, false));
    w.next_bookmark = now + state.settings.bookmark_interval;
  }
  if (!out.empty() && !sink.write(out.data(), out.size())) return false;
  if (now >= w.deadline) return finish();
  if (PeerClosed(w.fd)) return false;
  if (out.empty()) {
    auto wait = std::chrono::milliseconds(200);
    if (w.bookmarks) {
      wait = std::min(wait, std::chrono::duration_cast<std::chrono::milliseconds>(w.next_bookmark - now));
    }
    wait = std::min(wait, std::chrono::duration_cast<std::chrono::milliseconds>(w.deadline - now));
    state.store.WaitForChange(w.rv, std::max(wait, std::chrono::milliseconds(1)), w.type.StorageKey());
  }
  return true;
}

}  // namespace

void HandleWatch(ServerState& state, Call& call) {
  const auto& req = call.req;
  auto w = std::make_shared<WatchState>();
  w->type = call.type;
  w->version = call.info.version;
  w->selection = ParseSelection(req, call.type, call.type.namespaced ? call.info.ns : "");
  w->bookmarks = req.get_param_value("allowWatchBookmarks") == "true";
  w->started = Clock::now();
  long timeout_s = 0;
  if (req.has_param("timeoutSeconds")) {
    try {
      timeout_s = std::stol(req.get_param_value("timeoutSeconds"));
    } catch (...) {
      throw BadRequest("timeoutSeconds: Invalid value: must be an integer");
    }
  }
  // Like the real server, a watch without timeoutSeconds still ends after a while.
  w->deadline = w->started + std::chrono::seconds(timeout_s > 0 ? timeout_s : 1800);
  w->next_bookmark = w->started + state.settings.bookmark_interval;
  w->drop_generation = state.faults.drop_generation();
  w->expire_generation = state.faults.expire_generation();

  std::string rv = req.has_param("resourceVersion") ? req.get_param_value("resourceVersion") : "";
  bool send_initial = req.get_param_value("sendInitialEvents") == "true";
  if (rv.empty() || rv == "0" || send_initial) {
    int64_t at = 0;
    auto objects = state.store.List(call.type, w->selection.ns, 0, &at);
    for (const auto& [key, o] : *objects) {
      if (w->selection.Matches(o)) w->initial.push_back(o);
    }
    w->rv = at;
    w->initial_end_bookmark = send_initial && w->bookmarks;
  } else {
    try {
      w->rv = std::stoll(rv);
    } catch (...) {
      throw BadRequest("resourceVersion: Invalid value: \"" + rv + "\": must be a valid resourceVersion");
    }
    if (w->rv > state.store.CurrentRv()) {
      throw Timeout("Too large resource version: " + rv + ", current: " +
                        std::to_string(state.store.CurrentRv()), 1);
    }
  }
  w->fd = ConnectionFd(req);
  // The real server never compresses watch streams; compressing would hold events back in the
  // compressor. The Request object is ours to change (httplib owns a mutable one).
  const_cast<httplib::Request&>(req).headers.erase("Accept-Encoding");
  call.res.status = 200;
  call.res.set_header("Cache-Control", "no-cache, private");
  w->open = std::make_unique<OpenWatch>(state.stats);
  ServerState* s = &state;
  call.res.set_chunked_content_provider("application/json", [s, w](size_t, httplib::DataSink& sink) {
    try {
      return Pump(*s, *w, sink);
    } catch (const std::exception&) {
      return false;  // an exception must not escape into httplib's worker thread
    }
  });
}

}  // namespace keyroll::fakes
