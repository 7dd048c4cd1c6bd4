// Get and list: resourceVersion semantics, selectors, limit/continue paging over a consistent
// snapshot, and Table answers.
#include <thread>

#include "tests/fakes/kube/api_handlers.h"
#include "tests/fakes/kube/continue_token.h"
#include "tests/fakes/kube/field_selector.h"
#include "tests/fakes/kube/label_selector.h"
#include "tests/fakes/kube/object_rules.h"
#include "tests/fakes/kube/selection.h"
#include "tests/fakes/kube/table.h"

namespace keyroll::fakes {
namespace {

std::string Param(const httplib::Request& req, const char* name) {
  return req.has_param(name) ? req.get_param_value(name) : "";
}

int64_t ParseRv(const std::string& text) {
  try {
    size_t used = 0;
    long long v = std::stoll(text, &used);
    if (used == text.size() && v >= 0) return v;
  } catch (...) {
  }
  throw BadRequest("resourceVersion: Invalid value: \"" + text + "\": must be a valid resourceVersion");
}

// The resourceVersion a list reads at (0 = now), per resourceVersion/resourceVersionMatch.
int64_t ListReadRv(ServerState& state, const httplib::Request& req) {
  std::string rv = Param(req, "resourceVersion");
  std::string match = Param(req, "resourceVersionMatch");
  if (match == "Exact") {
    if (rv.empty() || rv == "0") {
      throw BadRequest("resourceVersionMatch: Forbidden: resourceVersionMatch \"exact\" is forbidden for resourceVersion \"0\"");
    }
    int64_t want = ParseRv(rv);
    if (want < state.store.OldestRv()) {
      throw Expired("The resourceVersion for the provided list is too old.");
    }
    return want;
  }
  if (!match.empty() && match != "NotOlderThan") {
    throw BadRequest("resourceVersionMatch: Unsupported value: \"" + match + "\"");
  }
  if (rv.empty() || rv == "0") return 0;
  int64_t want = ParseRv(rv);
  // NotOlderThan: a version from the future is waited for briefly, as the watch cache does.
  for (int i = 0; i < 30 && state.store.CurrentRv() < want; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  if (state.store.CurrentRv() < want) {
    throw Timeout("Too large resource version: " + rv + ", current: " +
                      std::to_string(state.store.CurrentRv()), 1);
  }
  return 0;
}

}  // namespace

void HandleGet(ServerState& state, Call& call) {
  const auto& t = call.type;
  ObjectPtr object = state.store.Find(t, t.namespaced ? call.info.ns : "", call.info.name);
  if (!object) throw NotFound({t.plural, t.group, call.info.name});
  if (WantsTable(call.req.get_header_value("Accept"))) {
    json served = AsServed(t, call.info.version, *object);
    TableOptions options;
    options.resource_version = served["metadata"].value("resourceVersion", "");
    if (call.req.has_param("includeObject")) options.include_object = call.req.get_param_value("includeObject");
    WriteJson(call.res, 200, BuildTable(t, {served}, options));
    return;
  }
  // The stored object's text, not a copy's (a GET per resource and sync at scale).
  WriteJsonText(call.res, 200, ServedText(t, call.info.version, *object));
}

void HandleList(ServerState& state, Call& call) {
  const auto& t = call.type;
  const auto& req = call.req;
  Selection selection = ParseSelection(req, t, t.namespaced ? call.info.ns : "");
  long limit = 0;
  if (req.has_param("limit")) {
    try {
      limit = std::stol(req.get_param_value("limit"));
    } catch (...) {
      throw BadRequest("limit: Invalid value: must be an integer");
    }
  }
  int64_t read_rv = 0;
  std::string start;
  std::string key_prefix = t.namespaced && !call.info.ns.empty() ? call.info.ns + "/" : "";
  if (req.has_param("continue") && !req.get_param_value("continue").empty()) {
    ContinueToken token = DecodeContinue(req.get_param_value("continue"));
    if (token.rv < state.store.OldestRv()) {
      throw Expired("The provided continue parameter is too old to display a consistent list "
                    "result. You can start a new list without the continue parameter, or use "
                    "the continue token in this response to retrieve the remainder of the "
                    "results. Continuing with the provided token results in an inconsistent "
                    "list - objects that were created, modified, or deleted between the time "
                    "the first chunk was returned and now may show up in the list.");
    }
    read_rv = token.rv;
    start = key_prefix + token.start;
  } else {
    read_rv = ListReadRv(state, req);
  }
  int64_t at = 0;
  std::vector<json> items;
  std::string last_key;
  long remaining = 0;
  const bool count_rest = selection.Empty();  // remainingItemCount is only given without selectors
  bool known = state.store.Visit(t, selection.ns, read_rv, std::max(start, key_prefix), &at,
                                 [&](const std::string& key, const json& object) {
    if (!selection.Matches(object)) return true;
    if (limit > 0 && static_cast<long>(items.size()) >= limit) {
      ++remaining;
      return count_rest;  // with a selector, one more match is enough to know there is more
    }
    items.push_back(AsServed(t, call.info.version, object));
    last_key = key;
    return true;
  });
  if (!known) throw Expired("The resourceVersion for the provided list is too old.");
  std::string continue_token;
  if (remaining > 0) {
    continue_token = EncodeContinue({at, last_key.substr(key_prefix.size()) + std::string(1, '\0')});
  }

  if (WantsTable(req.get_header_value("Accept"))) {
    TableOptions options;
    options.resource_version = std::to_string(at);
    options.continue_token = continue_token;
    if (req.has_param("includeObject")) options.include_object = req.get_param_value("includeObject");
    WriteJson(call.res, 200, BuildTable(t, items, options));
    return;
  }
  json meta = {{"resourceVersion", std::to_string(at)}};
  if (!continue_token.empty()) {
    meta["continue"] = continue_token;
    if (selection.Empty()) meta["remainingItemCount"] = remaining;
  } else if (t.custom) {
    meta["continue"] = "";  // unstructured lists always carry it
  }
  json list = {{"kind", t.ListKind()}, {"apiVersion", t.ApiVersion(call.info.version)},
               {"metadata", meta}, {"items", json::array()}};
  for (auto& item : items) {
    // Typed lists omit kind/apiVersion on their items; custom resource lists keep them.
    if (!t.custom) {
      item.erase("kind");
      item.erase("apiVersion");
    }
    list["items"].push_back(std::move(item));
  }
  WriteJson(call.res, 200, list);
}

}  // namespace keyroll::fakes
