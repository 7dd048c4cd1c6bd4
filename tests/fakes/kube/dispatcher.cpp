#include "tests/fakes/kube/dispatcher.h"

#include <thread>

#include "tests/fakes/kube/api_handlers.h"
#include "tests/fakes/kube/discovery.h"

namespace keyroll::fakes {
namespace {

std::string Authenticate(ServerState& state, const httplib::Request& req) {
  std::string auth = req.get_header_value("Authorization");
  const std::string bearer = "Bearer ";
  if (auth.size() > bearer.size() && auth.compare(0, bearer.size(), bearer) == 0) {
    if (auto user = state.access.UserForToken(auth.substr(bearer.size()))) return *user;
  }
  throw Unauthorized();
}

bool NonResource(ServerState& state, const httplib::Request& req, httplib::Response& res) {
  const std::string& path = req.path;
  if (path == "/healthz" || path == "/readyz" || path == "/livez") {
    res.set_content("ok", "text/plain; charset=utf-8");
    return true;
  }
  if (req.method == "GET" && path == "/openapi/v2") {
    // An empty OpenAPI v2 document (zero protobuf bytes): kubectl's client-side validation
    // needs the document to exist and then skips kinds it does not describe.
    res.set_content("", "application/com.github.proto-openapi.spec.v2.v1.0+protobuf");
    return true;
  }
  if (req.method == "GET") {
    if (auto doc = DiscoveryDocument(state.registry, path, state.server_address)) {
      WriteJson(res, 200, *doc);
      return true;
    }
  }
  if (path.rfind("/api", 0) == 0 || path.rfind("/openapi", 0) == 0) throw NotFoundPath();
  res.status = 404;
  res.set_content("404 page not found\n", "text/plain; charset=utf-8");
  return true;
}

void Route(ServerState& state, const httplib::Request& req, httplib::Response& res) {
  if (req.path.rfind("/_fake/", 0) == 0) return HandleControl(state, req, res);
  std::string user = Authenticate(state, req);
  const std::string agent = req.get_header_value("User-Agent");
  if (auto latency = state.faults.LatencyFor(agent); latency.count() > 0) std::this_thread::sleep_for(latency);

  std::string watch = req.has_param("watch") ? req.get_param_value("watch") : "";
  RequestInfo info = ParseRequestInfo(req.method, req.path, watch == "true" || watch == "1");
  if (!info.is_resource) {
    if (auto failure = state.faults.TakeFailure(req.method, req.path, agent)) throw *failure;
    NonResource(state, req, res);
    return;
  }
  std::string resource = QualifiedResource(info.resource, info.group);
  state.stats.Count(info.verb, info.subresource.empty() ? resource : resource + "/" + info.subresource, agent);

  AccessRequest access{info.verb, info.group, info.resource, info.subresource, info.ns};
  if (!state.access.Allowed(user, access)) {
    throw Forbidden(user, info.verb, {info.resource, info.group, info.name}, info.subresource, info.ns);
  }
  if (auto failure = state.faults.TakeFailure(req.method, req.path, agent, info.verb)) throw *failure;

  auto type = state.registry.Find(info.group, info.version, info.resource);
  if (!type || !info.valid) throw NotFoundPath();
  bool is_namespace = info.group.empty() && info.resource == "namespaces";
  if (!type->namespaced && !info.ns.empty() && !is_namespace) throw NotFoundPath();
  bool single = info.verb != "list" && info.verb != "watch" && info.verb != "deletecollection";
  if (type->namespaced && info.ns.empty() && single) throw NotFoundPath();
  if ((info.verb == "update" || info.verb == "patch") && state.faults.TakeConflict(agent)) {
    throw Conflict({info.resource, info.group, info.name});
  }

  Call call{req, res, info, *type};
  if (info.verb == "get") return HandleGet(state, call);
  if (info.verb == "list") return HandleList(state, call);
  if (info.verb == "watch") return HandleWatch(state, call);
  HandleWrite(state, call);
}

}  // namespace

void WriteJson(httplib::Response& res, int code, const nlohmann::json& body) { WriteJsonText(res, code, body.dump()); }

void WriteJsonText(httplib::Response& res, int code, const std::string& body) {
  res.status = code;
  res.set_header("Cache-Control", "no-cache, private");
  res.set_content(body, "application/json");
}

void WriteError(httplib::Response& res, const ApiError& error) {
  if (error.code() == 403) res.set_header("X-Content-Type-Options", "nosniff");
  if (error.retry_after_seconds() > 0) {
    res.set_header("Retry-After", std::to_string(error.retry_after_seconds()));
  }
  WriteJson(res, error.code(), error.status());
}

void Dispatch(ServerState& state, const httplib::Request& req, httplib::Response& res) {
  try {
    Route(state, req, res);
  } catch (const ApiError& e) {
    WriteError(res, e);
  } catch (const nlohmann::json::exception& e) {
    // A body of the right syntax but the wrong shape (e.g. a number where a name belongs).
    WriteError(res, BadRequest(std::string("the object provided is unrecognized: ") + e.what()));
  } catch (const std::exception& e) {
    WriteError(res, InternalError(e.what()));
  }
}

}  // namespace keyroll::fakes
