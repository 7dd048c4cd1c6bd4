// revoke.cpp — see revoke.h.
#include "operator/rotation/revoke.h"

namespace keyroll::rotation {

std::optional<Violation> RevokeHeld(const RevokeInput& in) {
  if (!in.spec.rotation.revoke_previous) return Violation{"NotRequested", "rotation.revokePrevious is off"};
  if (!in.provider || in.provider->previous_kid.empty())
    return Violation{"NoPreviousKey", "the provider lists no unrevoked previous key"};
  if (in.account_conflict) return Violation{"AccountConflict", "an older resource manages this provider account"};
  if (in.spec.rotation.suspend) return Violation{"Suspended", "rotation.suspend is set"};
  if (in.rotating || in.status.pending_rotation) return Violation{"RotationInProgress", "a rotation is in progress"};
  if (in.secret != SecretState::InSync)
    return Violation{"SecretDiffersFromProvider", "the Secret does not yet hold the provider's keys"};
  for (const auto& c : in.consumers)
    if (c.state != ConsumerState::UpToDate)
      return Violation{"ConsumerNotUpToDate", "consumer \"" + c.name + "\" does not yet hold the keys written after the rotation"};
  if (!in.read_fresh) return Violation{"ProviderReadNotFresh", "the provider's key list must be read again first"};
  return std::nullopt;
}

}  // namespace keyroll::rotation
