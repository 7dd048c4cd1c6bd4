#include "tests/fakes/auth0/key_ring.h"

#include <stdexcept>

#include "tests/fakes/common/secrets_ledger.h"

namespace keyroll::fakes {

void KeyRing::Init(FakeSigningKey current, FakeSigningKey next, std::int64_t now) {
  keys_.clear();
  current.current = true;
  current.current_since = now;
  next.next = true;
  // The tenant's private keys never leave it (keyroll gets certificates): like a token, no
  // Secret keyroll writes may hold one.
  RecordIssuedSecrets({current.private_key_pem, next.private_key_pem}, "token");
  keys_.push_back(std::move(current));
  keys_.push_back(std::move(next));
}

FakeSigningKey* KeyRing::Flagged(bool FakeSigningKey::*flag) {
  for (auto& k : keys_) {
    if (k.*flag) return &k;
  }
  return nullptr;
}

void KeyRing::Rotate(FakeSigningKey new_next, std::int64_t now) {
  RecordIssuedSecrets({new_next.private_key_pem}, "token");
  if (FakeSigningKey* previous = Flagged(&FakeSigningKey::previous)) previous->previous = false;
  FakeSigningKey* current = Flagged(&FakeSigningKey::current);
  FakeSigningKey* next = Flagged(&FakeSigningKey::next);
  if (current == nullptr || next == nullptr) throw std::logic_error("key ring not initialised");
  current->current = false;
  current->previous = true;
  current->current_until = now;
  next->next = false;
  next->current = true;
  next->current_since = now;
  new_next.next = true;
  keys_.push_back(std::move(new_next));  // may reallocate: no pointers used after this
}

RevokeResult KeyRing::Revoke(const std::string& kid, std::int64_t now) {
  for (auto& k : keys_) {
    if (k.kid != kid) continue;
    if (k.revoked) return RevokeResult::kAlreadyRevoked;
    if (!k.previous) return RevokeResult::kNotPrevious;
    k.previous = false;
    k.revoked = true;
    k.revoked_at = now;
    return RevokeResult::kRevoked;
  }
  return RevokeResult::kUnknownKid;
}

const FakeSigningKey* KeyRing::Find(const std::string& kid) const {
  for (const auto& k : keys_) {
    if (k.kid == kid) return &k;
  }
  return nullptr;
}

const FakeSigningKey& KeyRing::current() const {
  for (const auto& k : keys_) {
    if (k.current) return k;
  }
  throw std::logic_error("key ring has no current key");
}

const FakeSigningKey& KeyRing::next() const {
  for (const auto& k : keys_) {
    if (k.next) return k;
  }
  throw std::logic_error("key ring has no next key");
}

const FakeSigningKey* KeyRing::previous() const {
  for (const auto& k : keys_) {
    if (k.previous && !k.revoked) return &k;
  }
  return nullptr;
}

}  // namespace keyroll::fakes
