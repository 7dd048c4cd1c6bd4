// http_exchange: one HTTP request to a provider and what came back.
//  - GETs go on keep-alive connections pooled per endpoint (URL, trusted CAs, timeouts) and
//    shared by every client of it: a TLS handshake costs more CPU than the whole read, and
//    10,000 resources on one QStash host would otherwise make 10,000 handshakes per refresh.
//    A pooled connection the server had closed meanwhile is retried once on a new one (a
//    GET is safe to repeat).
//  - Anything else (rotate, revoke, token requests) goes on a fresh connection, closed
//    afterwards: on a reused connection a request the server never saw could look like a
//    lost answer, and those calls must never be repeated blindly.
#pragma once

#include <string>

#include <httplib.h>

#include "operator/providers/http_endpoint.h"

namespace keyroll::providers {

struct HttpCall {
  std::string method;  // "GET", "POST", "PUT", ...
  std::string path;    // with the URL's path prefix
  httplib::Headers headers;
  std::string body;
  std::string content_type;  // for a body (also sent with an empty POST/PUT body)
};

struct HttpAnswer {
  int status = 0;  // 0: no answer (see error)
  std::string body;
  httplib::Headers headers;
  httplib::Error error = httplib::Error::Success;
  long verify_result = 0;  // OpenSSL's verdict on the server certificate (for error texts)
};

// Fails only with kBadConfig (the CA bundle cannot be read or holds no certificate).
Result<HttpAnswer> Exchange(const BaseUrl& url, const TlsOptions& tls, const HttpTimeouts& timeouts,
                            const HttpCall& call);

// Closes every idle pooled connection (as Go's CloseIdleConnections; tests call it before
// stopping a fake, whose server would otherwise wait for them to time out).
void CloseIdleProviderConnections();

// Connections opened by Exchange in this process (tests and benchmarks).
int ProviderConnectionsOpened();

}  // namespace keyroll::providers
