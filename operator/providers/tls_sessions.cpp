// tls_sessions.cpp — see tls_sessions.h.
#include "operator/providers/tls_sessions.h"

#include <atomic>
#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>

namespace keyroll::providers {
namespace {

constexpr size_t kMaxEndpoints = 4096;  // Auth0 has one per tenant; more make full handshakes

std::atomic<int> resumed{0};

struct Sessions {
  std::mutex mu;
  std::unordered_set<std::string> endpoints;  // interned: contexts point at these strings
  std::unordered_map<const std::string*, SSL_SESSION*> latest;
};

Sessions& All() {
  static Sessions* s = new Sessions;  // never destroyed: contexts may outlive static destructors
  return *s;
}

int EndpointIndex() {
  static const int index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

const std::string* EndpointOf(SSL* ssl) {
  return static_cast<const std::string*>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), EndpointIndex()));
}

// A new session from the server (after the handshake, or a TLS 1.3 ticket later): kept as the
// endpoint's latest, but only from a server whose certificate verified (httplib checks the
// result after the handshake; a resumed session would carry a failed one along, and be
// refused, but it is not worth keeping). Returning 1 keeps OpenSSL's reference.
int Keep(SSL* ssl, SSL_SESSION* session) {
  const std::string* endpoint = EndpointOf(ssl);
  if (endpoint == nullptr || !SSL_SESSION_is_resumable(session) || SSL_get_verify_result(ssl) != X509_V_OK) return 0;
  Sessions& s = All();
  std::lock_guard lock(s.mu);
  SSL_SESSION*& slot = s.latest[endpoint];
  if (slot != nullptr) SSL_SESSION_free(slot);
  slot = session;
  return 1;
}

// Handshake start: offer the endpoint's latest session. Handshake done: count a resumption.
void Info(const SSL* const_ssl, int where, int) {
  // The callback gets a const SSL; the handshake it reports on is ours to set up.
  SSL* ssl = const_cast<SSL*>(const_ssl);
  if (where & SSL_CB_HANDSHAKE_DONE) {
    if (SSL_session_reused(ssl)) ++resumed;
    return;
  }
  if (!(where & SSL_CB_HANDSHAKE_START) || SSL_get_session(ssl) != nullptr) return;
  const std::string* endpoint = EndpointOf(ssl);
  if (endpoint == nullptr) return;
  Sessions& s = All();
  std::lock_guard lock(s.mu);
  auto it = s.latest.find(endpoint);
  if (it != s.latest.end() && SSL_SESSION_is_resumable(it->second)) SSL_set_session(ssl, it->second);
}

}  // namespace

void EnableResumption(SSL_CTX* ctx, const std::string& endpoint) {
  Sessions& s = All();
  const std::string* interned;
  {
    std::lock_guard lock(s.mu);
    if (s.endpoints.size() >= kMaxEndpoints && !s.endpoints.count(endpoint)) return;  // no resumption
    interned = &*s.endpoints.insert(endpoint).first;
  }
  SSL_CTX_set_ex_data(ctx, EndpointIndex(), const_cast<std::string*>(interned));
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
  SSL_CTX_sess_set_new_cb(ctx, Keep);
  SSL_CTX_set_info_callback(ctx, Info);
}

int TlsSessionsResumed() { return resumed.load(); }

}  // namespace keyroll::providers
