// Writes over HTTP: POST (201), PUT, PATCH (incl. /status), DELETE and deletecollection,
// answering with the bodies a real server sends (a Status of Success for a delete).
#include "tests/fakes/kube/api_handlers.h"
#include "tests/fakes/kube/mutations.h"
#include "tests/fakes/kube/object_rules.h"
#include "tests/fakes/kube/selection.h"

namespace keyroll::fakes {
namespace {

json DeleteOptionsBody(const std::string& body) {
  if (body.empty()) return nullptr;
  try {
    return json::parse(body);
  } catch (const json::parse_error&) {
    throw BadRequest("the object provided is unrecognized (must be of type DeleteOptions): "
                     "couldn't get version/kind; json parse error: unexpected end of JSON input");
  }
}

json DeletedAnswer(const ResourceType& type, const std::string& version, const json& deleted) {
  if (type.group.empty() && type.plural == "namespaces") {
    // A namespace answers with itself, Terminating (the fake then removes it at once).
    json ns = AsServed(type, version, deleted);
    ns["metadata"]["deletionTimestamp"] = NowRfc3339();
    ns["status"]["phase"] = "Terminating";
    return ns;
  }
  json details = {{"name", deleted["metadata"].value("name", "")}, {"kind", type.plural},
                  {"uid", deleted["metadata"].value("uid", "")}};
  if (!type.group.empty()) details["group"] = type.group;
  return {{"kind", "Status"}, {"apiVersion", "v1"}, {"metadata", json::object()},
          {"status", "Success"}, {"details", details}};
}

// The answer to a write: the stored object as served at `version`, from the text recorded with
// the change when that is already what it says (no copy, no second dump of a whole object).
std::string AnswerText(const ResourceType& type, const std::string& version, const Written& written) {
  return ServedText(type, version, *written.object, written.text.get());
}

void DeleteCollection(ServerState& state, Call& call, const Target& target) {
  Selection selection = ParseSelection(call.req, target.type, target.ns);
  int64_t at = 0;
  auto objects = state.store.List(target.type, target.ns, 0, &at);
  json list = {{"kind", target.type.ListKind()}, {"apiVersion", target.type.ApiVersion(target.version)},
               {"metadata", {{"resourceVersion", std::to_string(at)}}}, {"items", json::array()}};
  for (const auto& [key, o] : *objects) {
    if (!selection.Matches(o)) continue;
    Target one = target;
    one.ns = o["metadata"].value("namespace", "");
    one.name = o["metadata"].value("name", "");
    try {
      list["items"].push_back(AsServed(target.type, target.version, *DeleteObject(state, one).object));
    } catch (const ApiError&) {
      // deleted meanwhile
    }
  }
  WriteJson(call.res, 200, list);
}

void Write(ServerState& state, Call& call) {
  const auto& info = call.info;
  Target target{call.type, info.version, call.type.namespaced ? info.ns : "", info.name};
  bool status_only = info.subresource == "status";
  if ((!info.subresource.empty() && !status_only) || (status_only && !call.type.has_status)) {
    throw NotFoundPath();
  }
  const std::string& verb = info.verb;
  if (verb == "create") {
    if (!info.name.empty()) throw MethodNotAllowed();
    Written created = CreateObject(state, target, ParseObjectBody(call.type, call.req.body));
    WriteJsonText(call.res, 201, AnswerText(call.type, info.version, created));
  } else if (verb == "update") {
    Written updated = ReplaceObject(state, target, ParseObjectBody(call.type, call.req.body), status_only);
    WriteJsonText(call.res, 200, AnswerText(call.type, info.version, updated));
  } else if (verb == "patch") {
    std::string content_type = call.req.get_header_value("Content-Type");
    Written patched = PatchObject(state, target, content_type, call.req.body, status_only);
    WriteJsonText(call.res, 200, AnswerText(call.type, info.version, patched));
  } else if (verb == "delete") {
    if (status_only) throw MethodNotAllowed();
    Written deleted = DeleteObject(state, target, DeleteOptionsBody(call.req.body));
    WriteJson(call.res, 200, DeletedAnswer(call.type, info.version, *deleted.object));
  } else if (verb == "deletecollection") {
    DeleteCollection(state, call, target);
  } else {
    throw MethodNotAllowed();
  }
}

}  // namespace

void HandleWrite(ServerState& state, Call& call) {
  PendingWarnings().clear();
  StrictFieldValidation() = call.req.has_param("fieldValidation") &&
                            call.req.get_param_value("fieldValidation") == "Strict";
  WriterScope writer({call.info.verb, call.info.subresource, call.req.get_header_value("User-Agent"),
                      call.req.has_param("fieldManager") ? call.req.get_param_value("fieldManager") : ""});
  Write(state, call);
  // Unknown fields pruned from a custom resource, as a real server warns of them.
  for (const auto& w : PendingWarnings()) call.res.set_header("Warning", "299 - " + json(w).dump());
  PendingWarnings().clear();
}

}  // namespace keyroll::fakes
