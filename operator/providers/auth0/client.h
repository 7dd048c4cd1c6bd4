// client: the Auth0 signing-keys client (Management API v2), a Provider with the optional
// revoke capability. ReadKeys lists the keys and maps them (signing_keys.h); Rotate posts
// once, never retried (Auth0 allows 5 rotations a day), then re-lists; RevokePrevious/Revoke
// revoke the key used before the last rotation. Token handling, timeouts, TLS and read
// retries: session.h.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "operator/providers/auth0/session.h"
#include "operator/providers/auth0/signing_keys.h"
#include "operator/providers/provider.h"

namespace keyroll::providers::auth0 {

class Client final : public Provider {
 public:
  // kBadConfig for an invalid domain, an empty client id or secret, or an audience that is
  // not an http(s) URL.
  static Result<std::unique_ptr<Client>> Create(ClientOptions options);

  Result<KeySet> ReadKeys() override;
  // POST /keys/signing/rotate (201), then the keys as listed afterwards. A lost answer is
  // kOutcomeUnknown; a 429 is kRateLimited saying the rotation was refused for rate.
  Result<KeySet> Rotate() override;
  bool SupportsRevokePrevious() const override { return true; }
  // Revokes the key flagged previous (not yet revoked); revoked=false when there is none
  // (or it is not only_kid, when given).
  Result<RevokeOutcome> RevokePrevious(const std::string& only_kid = "") override;
  std::string AccountId() const override { return account_id_; }
  std::string Name() const override { return "auth0"; }

  // The raw Management API operations (reads retried; revoke never).
  Result<std::vector<SigningKey>> ListKeys();
  Result<SigningKey> GetKey(const std::string& kid);
  // PUT /keys/signing/{kid}/revoke. Auth0 accepts only the previous key: others are
  // kRejected with its message. kBadConfig for a kid that cannot be a kid.
  Result<SigningKey> Revoke(const std::string& kid);

  const BaseUrl& url() const { return session_->url(); }
  const std::string& audience() const { return session_->audience(); }

 private:
  Client(std::unique_ptr<Session> session, std::string account_id)
      : session_(std::move(session)), account_id_(std::move(account_id)) {}
  std::unique_ptr<Session> session_;
  std::string account_id_;
};

}  // namespace keyroll::providers::auth0
