// secret_plan.h — the target Secret: is it ours, does it hold the provider's keys, and
// what write brings it there. The desired Secret carries
//   labels:      spec.target.labels + app.kubernetes.io/managed-by=keyroll
//   annotations: spec.target.annotations + keyroll.dev/owner=<name> + keyroll.dev/keys-hash
//   ownerReference to the resource iff deletionPolicy is Delete.
// Ownership: our ownerReference (uid), or managed-by=keyroll plus owner=<name> (Retain).
// "Holds the provider's keys": the keysHash matches and every extra entry the provider
// keeps in the Secret (ProviderKeys::extra_fingerprints, e.g. jwks.json) has its fingerprint.
#pragma once

#include <optional>

#include "operator/rotation/gate.h"
#include "operator/rotation/observed.h"
#include "operator/rotation/plan.h"

namespace keyroll::rotation {

bool OwnedByResource(const ObservedSecret& secret, const ResourceMeta& meta);

// Missing / Conflict / InSync / Differs (InSync when the provider's keys are unknown).
SecretState ClassifySecret(const ObservedSecret& secret, const ResourceMeta& meta,
                           const std::optional<ProviderKeys>& provider);

// The write that makes an owned (or missing) Secret equal the desired one; op None when
// nothing differs. Never called for a Conflict.
SecretWrite PlanSecretWrite(const Spec& spec, const ResourceMeta& meta,
                            const ObservedSecret& secret, const ProviderKeys& provider);

}  // namespace keyroll::rotation
