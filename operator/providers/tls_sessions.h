// tls_sessions: TLS session resumption for provider clients. Every connection that is not a
// pooled keep-alive one (rotate, revoke and token calls, and each attempt at an endpoint that
// hangs, whose connection cannot be reused) used to make a full handshake: certificate chain
// parsed and verified, a signature by the server. At a cold start with 1,000 hung accounts
// those handshakes were 14 % of keyroll's CPU and as much again in the server (issue 17).
//
// A client context made by EnableResumption keeps the sessions (TLS 1.3 tickets) its server
// hands out, one per endpoint, and offers the latest one when a new connection starts. The
// endpoint names the host, port and the trusted CAs: a session verified against one trust
// store is never offered by a client that trusts another, so resumption never skips a check
// the new client would have made. The server may refuse a ticket: that is a full handshake.
// cpp-httplib 0.11 has no hook before its SSL_connect, so the session is set from the
// context's info callback when the handshake starts.
#pragma once

#include <openssl/ssl.h>

#include <string>

namespace keyroll::providers {

void EnableResumption(SSL_CTX* ctx, const std::string& endpoint);

// Handshakes that resumed a session (tests and benchmarks).
int TlsSessionsResumed();

}  // namespace keyroll::providers
