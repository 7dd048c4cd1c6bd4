// The /_fake/ control endpoint: switches faults and reads request counters at run time.
// Only the admin user's bearer token is accepted (401 without a known token, 403 for others).
// Bodies are JSON objects; every POST answers {"ok":true}.
//   GET  /_fake/stats                 {"total","by_verb":{get:N,...},"by_request":{"patch secrets":N},"open_watches",
//                                      "by_user_agent":{"keyroll":{"total":N,"by_verb":{...},"by_request":{...}}}} (product before '/')
//   POST /_fake/stats/reset
//   GET  /_fake/faults                the switches now in force
//   POST /_fake/faults/reset          latency, failures, conflicts and drop-every off
//   POST /_fake/watches/drop          cut every open watch connection now
//   POST /_fake/watches/drop-every    {"interval_ms":N}  cut each watch N ms after it opened (0: off)
//   POST /_fake/watches/expire        {"send_error":true,"clear_history":true}
//   POST /_fake/fail-next             {"count":1,"code":500|429|410,"method":"","path_prefix":"","retry_after_seconds":1,
//                                      "user_agent":"","verb":""}  (verb: get, list, watch, ...; 410 = Expired)
//   POST /_fake/latency               {"ms":N,"user_agent":""}
//   POST /_fake/conflict-next-writes  {"count":N,"user_agent":""}   next N PUT/PATCH (incl. /status) answer 409 Conflict
//   ("user_agent": only requests whose User-Agent starts with it; "" = every client)
//   POST /_fake/history               {"limit":N}   resize the watch/paging history window
//   GET  /_fake/journal[?namespace=NS] every write in the server's order: {"dropped":N,"entries":[{"rv","type",
//                                      "resource","namespace","name","verb","subresource","user_agent",
//                                      "field_manager","object"}]} (write_journal.h; Secrets: metadata only)
#include "tests/fakes/kube/api_handlers.h"

namespace keyroll::fakes {
namespace {

json Body(const httplib::Request& req) {
  if (req.body.empty()) return json::object();
  try {
    json j = json::parse(req.body);
    if (!j.is_object()) throw BadRequest("control: body must be a JSON object");
    return j;
  } catch (const json::parse_error&) {
    throw BadRequest("control: body is not JSON");
  }
}

const json kOk = {{"ok", true}};

}  // namespace

void HandleControl(ServerState& state, const httplib::Request& req, httplib::Response& res) {
  std::string auth = req.get_header_value("Authorization");
  auto user = auth.rfind("Bearer ", 0) == 0 ? state.access.UserForToken(auth.substr(7)) : std::nullopt;
  if (!user) throw Unauthorized();
  if (*user != state.settings.admin_user) {
    throw ApiError(403, FailureStatus(403, "Forbidden", "the control endpoint needs the admin token"));
  }
  std::string path = req.path.substr(std::string("/_fake").size());
  json body = Body(req);
  try {
    if (req.method == "GET" && path == "/stats") return WriteJson(res, 200, state.stats.Snapshot());
    if (req.method == "GET" && path == "/faults") return WriteJson(res, 200, state.faults.Describe());
    if (req.method == "GET" && path == "/journal")
      return WriteJson(res, 200, state.store.journal().Read(req.has_param("namespace") ? req.get_param_value("namespace") : ""));
    if (req.method != "POST") throw NotFoundPath();
    if (path == "/stats/reset") {
      state.stats.Reset();
    } else if (path == "/faults/reset") {
      state.faults.Reset();
      state.store.Wake();
    } else if (path == "/watches/drop") {
      state.DropWatchesNow();
    } else if (path == "/watches/drop-every") {
      state.DropWatchesEvery(std::chrono::milliseconds(body.value("interval_ms", 0)));
    } else if (path == "/watches/expire") {
      state.ExpireWatches(body.value("send_error", true), body.value("clear_history", true));
    } else if (path == "/fail-next") {
      FailRule rule;
      rule.count = body.value("count", 1);
      rule.code = body.value("code", 500);
      rule.method = body.value("method", "");
      rule.path_prefix = body.value("path_prefix", "");
      rule.retry_after_seconds = body.value("retry_after_seconds", 1);
      rule.user_agent = body.value("user_agent", "");
      rule.verb = body.value("verb", "");
      if (rule.code != 500 && rule.code != 429 && rule.code != 410)
        throw BadRequest("control: code must be 500, 429 or 410");
      state.faults.FailNext(rule);
    } else if (path == "/latency") {
      state.faults.SetLatency(std::chrono::milliseconds(body.value("ms", 0)), body.value("user_agent", ""));
    } else if (path == "/conflict-next-writes") {
      state.faults.ConflictNextWrites(body.value("count", 1), body.value("user_agent", ""));
    } else if (path == "/history") {
      state.store.SetHistoryLimit(body.value("limit", size_t{10000}));
    } else {
      throw NotFoundPath();
    }
  } catch (const json::exception&) {
    throw BadRequest("control: a field has the wrong type");
  }
  WriteJson(res, 200, kOk);
}

}  // namespace keyroll::fakes
