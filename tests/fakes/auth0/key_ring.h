// key_ring: the fake tenant's signing keys and what rotation and revocation do to them, as
// plain logic (time passed in, no locking: the caller holds the fake's lock).
//   rotate:  the previous key (if not revoked) becomes a plain listed key (neither current,
//            next nor previous; Auth0 keeps older keys listed until revoked), current ->
//            previous (current_until = now), next -> current (current_since = now), and a
//            new key becomes next.
//   revoke:  only the previous key; it is marked revoked (revoked_at = now), loses the
//            previous flag and is never used again. Other keys: 400, unknown kids: 404.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tests/fakes/auth0/signing_key.h"

namespace keyroll::fakes {

enum class RevokeResult { kRevoked, kUnknownKid, kNotPrevious, kAlreadyRevoked };

class KeyRing {
 public:
  // current and next become the tenant's first keys.
  void Init(FakeSigningKey current, FakeSigningKey next, std::int64_t now);
  void Rotate(FakeSigningKey new_next, std::int64_t now);
  RevokeResult Revoke(const std::string& kid, std::int64_t now);

  const std::vector<FakeSigningKey>& keys() const { return keys_; }  // in creation order
  const FakeSigningKey* Find(const std::string& kid) const;
  const FakeSigningKey& current() const;
  const FakeSigningKey& next() const;
  const FakeSigningKey* previous() const;  // the unrevoked previous key, if any

 private:
  FakeSigningKey* Flagged(bool FakeSigningKey::*flag);
  std::vector<FakeSigningKey> keys_;
};

}  // namespace keyroll::fakes
