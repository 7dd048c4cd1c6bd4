// http_endpoint: a provider's base URL and the HTTP(S) client for it, shared by all
// providers: URL parsing/normalisation, timeouts, TLS verification (always on for https, with
// an optional custom CA bundle), and what a transport error means for the caller.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include <httplib.h>

#include "operator/providers/provider.h"

namespace keyroll::providers {

// Custom CAs are trusted in addition to the system trust store, never instead of it.
struct TlsOptions {
  std::string ca_file;  // PEM bundle on disk (re-read for every client: it may rotate)
  std::string ca_pem;   // and/or PEM data inline (spec caBundle); both empty: system roots only
};

struct HttpTimeouts {
  std::chrono::milliseconds connect{5000};
  std::chrono::milliseconds read{10000};  // also used as the write timeout
};

struct BaseUrl {
  std::string scheme;  // "https" or "http"
  std::string host;
  int port = 0;
  std::string path_prefix;  // "" or "/prefix" without a trailing slash
  // scheme://host[:port]path_prefix, lowercased scheme/host, default port omitted.
  std::string Normalised() const;
};

// Accepts http(s)://host[:port][/prefix]; anything else (userinfo, query, fragment, bad port,
// empty host) is kBadConfig with a message naming what is wrong.
Result<BaseUrl> ParseBaseUrl(std::string_view url);

// What a verified connection or TLS session is good for: the URL's scheme, host and port
// and the SHA-256 of the custom CAs ("scheme://host[:port]prefix\n<hex>"). A connection or
// session made under one is never used by a client under another (http_exchange.h,
// tls_sessions.h).
std::string TrustedEndpoint(const BaseUrl& url, const std::string& custom_pem);

// The PEM text trusted beside the system store: the inline PEM plus the file, read afresh
// (it may rotate). kBadConfig when the file cannot be read.
Result<std::string> CustomCaPem(const TlsOptions& tls);

// A client trusting the system store plus `custom_pem`; kBadConfig when that holds no
// certificate. Connection reuse is the caller's choice (http_exchange.h decides it).
Result<std::unique_ptr<httplib::ClientImpl>> MakeHttpClient(const BaseUrl& url, const std::string& custom_pem,
                                                            const HttpTimeouts& timeouts, bool keep_alive);

// A fresh client for one call, closed after it.
Result<std::unique_ptr<httplib::ClientImpl>> MakeHttpClient(const BaseUrl& url, const TlsOptions& tls,
                                                            const HttpTimeouts& timeouts);

// True when the error happened before the request could have reached the server (connect,
// TLS handshake, certificate verification): a non-idempotent call was certainly not done.
bool FailedBeforeSending(httplib::Error error);

// "connection failed", "TLS certificate verification failed (unable to get local issuer
// certificate)", "timed out or connection lost while waiting for the answer", ...
std::string DescribeTransportError(httplib::Error error, long openssl_verify_result);

}  // namespace keyroll::providers
