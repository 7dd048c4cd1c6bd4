// dispatcher: the front door of every request: control endpoint, authentication (401),
// injected latency, discovery, request counting, authorization (403), injected failures, the
// resource lookup (404) and the handler for the verb. Turns ApiError into Status responses.
#pragma once

#include <httplib.h>

#include "tests/fakes/kube/server_state.h"

namespace keyroll::fakes {

void Dispatch(ServerState& state, const httplib::Request& req, httplib::Response& res);

}  // namespace keyroll::fakes
