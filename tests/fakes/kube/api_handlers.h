// api_handlers: the HTTP side of resource requests: get, list (selectors, paging,
// resourceVersion semantics, Table), watch (chunked event stream), writes, and the /_fake/
// control endpoint. Each handler reads the request and fills the response; errors are thrown
// as ApiError and written by the dispatcher.
#pragma once

#include <string>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "tests/fakes/kube/api_error.h"
#include "tests/fakes/kube/request_info.h"
#include "tests/fakes/kube/server_state.h"

namespace keyroll::fakes {

struct Call {
  const httplib::Request& req;
  httplib::Response& res;
  RequestInfo info;
  ResourceType type;
};

void HandleGet(ServerState& state, Call& call);
void HandleList(ServerState& state, Call& call);
void HandleWatch(ServerState& state, Call& call);
void HandleWrite(ServerState& state, Call& call);  // create/update/patch/delete/deletecollection
void HandleControl(ServerState& state, const httplib::Request& req, httplib::Response& res);

void WriteJson(httplib::Response& res, int code, const nlohmann::json& body);
// The same with the body already dumped.
void WriteJsonText(httplib::Response& res, int code, const std::string& body);
void WriteError(httplib::Response& res, const ApiError& error);

}  // namespace keyroll::fakes
