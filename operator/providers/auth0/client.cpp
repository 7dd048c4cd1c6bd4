#include "operator/providers/auth0/client.h"

#include <spdlog/spdlog.h>

#include <thread>

#include "operator/base/crypto.h"
#include "operator/base/encoding.h"
#include "operator/providers/auth0/errors.h"

namespace keyroll::providers::auth0 {
namespace {

using std::chrono::milliseconds;

constexpr const char* kKeysPath = "/api/v2/keys/signing";

}  // namespace

Result<std::unique_ptr<Client>> Client::Create(ClientOptions options) {
  if (options.domain.empty()) return MakeError(ErrorKind::kBadConfig, "the Auth0 domain is empty");
  bool has_scheme = options.domain.find("://") != std::string::npos;
  auto url = ParseBaseUrl(has_scheme ? options.domain : "https://" + options.domain);
  if (!url) return MakeError(ErrorKind::kBadConfig, "the Auth0 domain: " + url.error().message);
  if (options.client_id.empty()) return MakeError(ErrorKind::kBadConfig, "the Auth0 client id is empty");
  for (unsigned char c : options.client_id) {
    if (c <= 0x20 || c >= 0x7f) return MakeError(ErrorKind::kBadConfig, "the Auth0 client id contains unusual characters");
  }
  if (options.client_secret.empty()) return MakeError(ErrorKind::kBadConfig, "the Auth0 client secret is empty");
  bool default_port = url->port == (url->scheme == "https" ? 443 : 80);
  std::string audience = options.audience;
  if (audience.empty()) {
    audience = "https://" + url->host + (default_port ? "" : ":" + std::to_string(url->port)) + "/api/v2/";
  } else if (!ParseBaseUrl(audience)) {
    return MakeError(ErrorKind::kBadConfig, "the Auth0 audience must be an https:// URL such as https://DOMAIN/api/v2/");
  }
  if (url->scheme == "http") {
    spdlog::warn("auth0: {} is plain HTTP: the client secret travels unencrypted (use https outside tests)",
                 url->Normalised());
  }
  if (!options.sleep) options.sleep = [](milliseconds d) { std::this_thread::sleep_for(d); };
  if (!options.now) options.now = [] { return std::chrono::system_clock::now(); };
  if (!options.jitter) options.jitter = RandomJitter;
  // The account is the tenant: its signing keys are shared by all its applications, so two
  // resources with different clients of one tenant are one account (never the secret).
  std::string account_id = base::HexLower(base::Sha256(url->Normalised()));
  auto session = std::make_unique<Session>(std::move(options), std::move(url.value()), std::move(audience));
  return std::unique_ptr<Client>(new Client(std::move(session), std::move(account_id)));
}

Result<std::vector<SigningKey>> Client::ListKeys() {
  auto a = session_->Read("get_keys", kKeysPath, "listing the signing keys");
  if (!a) return a.error();
  return ParseSigningKeyList(a->body);
}

Result<SigningKey> Client::GetKey(const std::string& kid) {
  if (!IsValidKid(kid)) return MakeError(ErrorKind::kBadConfig, "not a valid key id (kid)");
  auto a = session_->Read("get_key", std::string(kKeysPath) + "/" + kid, "reading signing key " + kid);
  if (!a) return a.error();
  return ParseSigningKey(a->body);
}

Result<KeySet> Client::ReadKeys() {
  auto keys = ListKeys();
  if (!keys) return keys.error();
  return KeySetFromSigningKeys(*keys);
}

Result<KeySet> Client::Rotate() {
  spdlog::info("auth0: rotating the signing keys of {}", url().Normalised());
  auto a = session_->Once("rotate", "POST", std::string(kKeysPath) + "/rotate");
  if (!a) return a.error();  // no token: the rotation was not asked for
  if (a->status != 201 && a->status != 200) {
    return session_->ErrorFor(*a, "the key rotation", CallKind::kRotate);
  }
  // Which key the answer describes is not documented: only a well-formed body is checked,
  // and the keys are read back.
  if (auto described = ParseSigningKey(a->body); !described) {
    spdlog::warn("auth0: the rotation answer does not parse ({}); reading the keys", described.error().message);
  }
  auto keys = ReadKeys();
  if (!keys) {
    return MakeError(ErrorKind::kOutcomeUnknown,
                 "Auth0 rotated the keys (" + std::to_string(a->status) +
                     ") but reading them afterwards failed: " + keys.error().message + "; read the keys again",
                 a->status);
  }
  spdlog::info("auth0: rotated; current kid {}, next kid {}", keys->metadata[kCurrentKid], keys->metadata[kNextKid]);
  return keys;
}

Result<SigningKey> Client::Revoke(const std::string& kid) {
  if (!IsValidKid(kid)) return MakeError(ErrorKind::kBadConfig, "not a valid key id (kid)");
  spdlog::info("auth0: revoking signing key {} of {}", kid, url().Normalised());
  auto a = session_->Once("revoke", "PUT", std::string(kKeysPath) + "/" + kid + "/revoke");
  if (!a) return a.error();
  if (a->status < 200 || a->status >= 300) {
    return session_->ErrorFor(*a, "revoking signing key " + kid, CallKind::kRevoke);
  }
  auto described = ParseSigningKey(a->body);
  if (!described) {
    return MakeError(ErrorKind::kOutcomeUnknown,
                 described.error().message + " (answer to a successful revocation of " + kid + ": read the keys)",
                 a->status);
  }
  return described;
}

Result<RevokeOutcome> Client::RevokePrevious(const std::string& only_kid) {
  auto keys = ListKeys();
  if (!keys) return keys.error();
  auto before = KeySetFromSigningKeys(*keys);  // refuse to act on an ambiguous key list
  if (!before) return before.error();
  RevokeOutcome out;
  const std::string previous = before->metadata[kPreviousKid];
  if (previous.empty() || (!only_kid.empty() && previous != only_kid)) {
    out.keys = std::move(before.value());
    return out;
  }
  auto revoked = Revoke(previous);
  if (!revoked) return revoked.error();
  auto after = ReadKeys();
  if (!after) {
    return MakeError(ErrorKind::kOutcomeUnknown,
                 "Auth0 revoked key " + previous + " but reading the keys afterwards failed: " + after.error().message,
                 0);
  }
  out.revoked = true;
  out.revoked_kid = previous;
  out.keys = std::move(after.value());
  return out;
}

}  // namespace keyroll::providers::auth0
