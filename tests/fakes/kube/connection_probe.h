// connection_probe: tells a long-running watch that its client has gone away. cpp-httplib
// 0.11 only notices a closed peer when a write fails, and a quiet watch writes nothing for a
// long time; so the watch finds its socket (the TLS session's fd, or by matching the
// connection's addresses among this process's sockets) and polls it for a hang-up.
#pragma once

#include <httplib.h>

namespace keyroll::fakes {

// The socket serving `req`, or -1 when it cannot be found.
int ConnectionFd(const httplib::Request& req);
// True when the peer closed or reset the connection.
bool PeerClosed(int fd);
// Shuts down every accepted connection of the server listening on `port` in this process, so
// workers idling in keep-alive waits notice at once when the server stops.
void ShutdownServerConnections(int port);

}  // namespace keyroll::fakes
