// connection_drop: lets a fake's request handler cut its own connection without answering,
// the way a crashed proxy or a network partition does. cpp-httplib offers no handle on the
// socket, so the socket is found by its two addresses (unique on a host) and shut down.
#pragma once

#include <string>

namespace keyroll::fakes {

// Shuts down (both directions) the TCP connection local_addr:local_port <->
// remote_addr:remote_port of this process. Returns false when no such socket is found.
// Whatever the server writes afterwards fails; the client reads EOF with no answer.
bool DropConnection(const std::string& local_addr, int local_port, const std::string& remote_addr,
                    int remote_port);

}  // namespace keyroll::fakes
