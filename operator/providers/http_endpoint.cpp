#include "operator/providers/http_endpoint.h"

#include "operator/base/crypto.h"
#include "operator/providers/ca_file.h"
#include "operator/providers/tls_sessions.h"
#include "operator/providers/trust_store.h"

#include <openssl/x509.h>

#include <algorithm>
#include <cctype>
#include <charconv>

namespace keyroll::providers {
namespace {

ProviderError BadConfig(std::string message) {
  return ProviderError{ErrorKind::kBadConfig, std::move(message), 0, std::nullopt};
}

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

}  // namespace

std::string BaseUrl::Normalised() const {
  bool default_port = (scheme == "https" && port == 443) || (scheme == "http" && port == 80);
  return scheme + "://" + host + (default_port ? "" : ":" + std::to_string(port)) + path_prefix;
}

Result<BaseUrl> ParseBaseUrl(std::string_view url) {
  BaseUrl out;
  auto sep = url.find("://");
  if (sep == std::string_view::npos) return BadConfig("provider URL must start with https:// (or http://)");
  out.scheme = Lower(std::string(url.substr(0, sep)));
  if (out.scheme != "https" && out.scheme != "http") {
    return BadConfig("provider URL scheme must be https or http, not \"" + out.scheme + "\"");
  }
  std::string_view rest = url.substr(sep + 3);
  if (rest.find_first_of("?#@ \t\r\n") != std::string_view::npos) {
    return BadConfig("provider URL must not contain a query, fragment, user info or spaces");
  }
  auto slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string path = slash == std::string_view::npos ? "" : std::string(rest.substr(slash));
  while (!path.empty() && path.back() == '/') path.pop_back();
  out.path_prefix = path;
  out.port = out.scheme == "https" ? 443 : 80;
  std::string_view host = authority;
  if (!authority.empty() && authority.front() == '[') {  // [::1]:8443
    auto close = authority.find(']');
    if (close == std::string_view::npos) return BadConfig("provider URL has an unterminated [IPv6] host");
    host = authority.substr(1, close - 1);
    authority.remove_prefix(close + 1);
    if (!authority.empty() && authority.front() != ':') return BadConfig("provider URL has a malformed host");
    if (!authority.empty()) authority.remove_prefix(1); else authority = {};
  } else {
    auto colon = authority.rfind(':');
    host = authority.substr(0, colon);
    authority = colon == std::string_view::npos ? std::string_view{} : authority.substr(colon + 1);
  }
  if (!authority.empty()) {
    int port = 0;
    auto [p, ec] = std::from_chars(authority.data(), authority.data() + authority.size(), port);
    if (ec != std::errc() || p != authority.data() + authority.size() || port < 1 || port > 65535) {
      return BadConfig("provider URL has an invalid port");
    }
    out.port = port;
  }
  if (host.empty()) return BadConfig("provider URL has no host");
  out.host = Lower(std::string(host));
  return out;
}

std::string TrustedEndpoint(const BaseUrl& url, const std::string& custom_pem) {
  return url.Normalised() + "\n" + base::Sha256Hex(custom_pem);
}

Result<std::string> CustomCaPem(const TlsOptions& tls) {
  std::string pem = tls.ca_pem;  // both the inline PEM and the file, when both are given
  if (!tls.ca_file.empty()) {
    const std::optional<std::string> file_pem = ReadCaFile(tls.ca_file);
    if (!file_pem) return BadConfig("cannot read the CA bundle file " + tls.ca_file);
    // An empty file means the system store alone (the CA may not be issued yet).
    if (file_pem->find_first_not_of(" \t\r\n") != std::string::npos) pem += "\n" + *file_pem;
  }
  return pem;
}

Result<std::unique_ptr<httplib::ClientImpl>> MakeHttpClient(const BaseUrl& url, const std::string& custom_pem,
                                                            const HttpTimeouts& timeouts, bool keep_alive) {
  std::unique_ptr<httplib::ClientImpl> client;
  if (url.scheme == "https") {
    auto ssl = std::make_unique<httplib::SSLClient>(url.host, url.port);
    ssl->enable_server_certificate_verification(true);
    // Parsed once and shared (trust_store.h); the directory keeps httplib from loading the
    // default paths into the shared store again.
    X509_STORE* store = SharedTrustStore(custom_pem);
    if (store == nullptr) return BadConfig("the CA bundle holds no PEM certificate");
    ssl->set_ca_cert_store(store);  // the client's SSL_CTX takes this reference over
    ssl->set_ca_cert_path("", TrustStoreDirectory());
    // A call waiting for its answer holds no 16 KiB read and write buffers: with 1,000 calls
    // to hung endpoints in flight, that is tens of MiB (issue 17).
    SSL_CTX_set_mode(ssl->ssl_context(), SSL_MODE_RELEASE_BUFFERS);
    EnableResumption(ssl->ssl_context(), TrustedEndpoint(url, custom_pem));
    client = std::move(ssl);
  } else {
    client = std::make_unique<httplib::ClientImpl>(url.host, url.port);
  }
  client->set_connection_timeout(timeouts.connect);
  client->set_read_timeout(timeouts.read);
  client->set_write_timeout(timeouts.read);
  client->set_keep_alive(keep_alive);
  client->set_tcp_nodelay(true);  // headers and body go in separate writes: no Nagle delay
  client->set_follow_location(false);
  return client;
}

Result<std::unique_ptr<httplib::ClientImpl>> MakeHttpClient(const BaseUrl& url, const TlsOptions& tls,
                                                            const HttpTimeouts& timeouts) {
  auto pem = CustomCaPem(tls);
  if (!pem) return pem.error();
  return MakeHttpClient(url, *pem, timeouts, false);
}

bool FailedBeforeSending(httplib::Error error) {
  switch (error) {
    case httplib::Error::Connection:
    case httplib::Error::BindIPAddress:
    case httplib::Error::SSLConnection:
    case httplib::Error::SSLLoadingCerts:
    case httplib::Error::SSLServerVerification:
    case httplib::Error::ConnectionTimeout:
      return true;
    default:
      return false;
  }
}

std::string DescribeTransportError(httplib::Error error, long openssl_verify_result) {
  switch (error) {
    case httplib::Error::Connection: return "connection failed (is the URL right and the service up?)";
    case httplib::Error::ConnectionTimeout: return "connect timed out";
    case httplib::Error::SSLConnection: return "TLS handshake failed";
    case httplib::Error::SSLLoadingCerts: return "could not load the CA certificates";
    case httplib::Error::SSLServerVerification:
      return std::string("TLS certificate verification failed (") +
             (openssl_verify_result != 0 ? X509_verify_cert_error_string(openssl_verify_result)
                                         : "host name does not match the certificate") +
             "); check the CA bundle and the URL";
    case httplib::Error::Read: return "timed out or connection lost while waiting for the answer";
    case httplib::Error::Write: return "connection lost while sending the request";
    default: return "transport error: " + httplib::to_string(error);
  }
}

}  // namespace keyroll::providers
