// secret_plan.cpp — see secret_plan.h.
#include "operator/rotation/secret_plan.h"

#include "operator/rotation/vocabulary.h"

namespace keyroll::rotation {
namespace {

bool Contains(const StringMap& have, const StringMap& want) {
  for (const auto& [k, v] : want) {
    auto it = have.find(k);
    if (it == have.end() || it->second != v) return false;
  }
  return true;
}

// The Secret holds the provider's keys and every extra entry the provider keeps there.
bool HoldsProviderKeys(const ObservedSecret& s, const ProviderKeys& provider) {
  if (!(s.current_fingerprint && s.next_fingerprint && !s.keys_hash.empty() && s.keys_hash == provider.keys_hash))
    return false;
  return Contains(s.data_fingerprints, provider.extra_fingerprints);
}

}  // namespace

bool OwnedByResource(const ObservedSecret& s, const ResourceMeta& meta) {
  if (!s.exists) return false;
  if (s.owner_reference_to_resource) return true;
  auto label = s.labels.find(std::string(vocab::kLabelManagedBy));
  auto owner = s.annotations.find(std::string(vocab::kAnnotationOwner));
  return label != s.labels.end() && label->second == vocab::kManagedByValue &&
         owner != s.annotations.end() && owner->second == meta.name;
}

SecretState ClassifySecret(const ObservedSecret& s, const ResourceMeta& meta,
                           const std::optional<ProviderKeys>& provider) {
  if (!s.exists) return SecretState::Missing;
  if (!OwnedByResource(s, meta)) return SecretState::Conflict;
  if (!provider) return SecretState::InSync;
  return HoldsProviderKeys(s, *provider) ? SecretState::InSync : SecretState::Differs;
}

SecretWrite PlanSecretWrite(const Spec& spec, const ResourceMeta& meta, const ObservedSecret& s,
                            const ProviderKeys& provider) {
  SecretWrite w;
  w.name = spec.target.secret_name;
  w.current_key = spec.target.current_key;
  w.next_key = spec.target.next_key;
  w.keys = provider;
  w.labels = spec.target.labels;
  w.labels[std::string(vocab::kLabelManagedBy)] = std::string(vocab::kManagedByValue);
  w.annotations = spec.target.annotations;
  w.annotations[std::string(vocab::kAnnotationOwner)] = meta.name;
  w.annotations[std::string(vocab::kAnnotationKeysHash)] = provider.keys_hash;
  w.owner_reference = spec.target.deletion_policy == DeletionPolicy::Delete;
  if (!s.exists) {
    w.op = SecretOp::Create;
    w.write_keys = true;
    return w;
  }
  w.write_keys = !HoldsProviderKeys(s, provider);
  bool metadata_ok = Contains(s.labels, w.labels) && Contains(s.annotations, w.annotations) &&
                     s.owner_reference_to_resource == w.owner_reference;
  w.op = (w.write_keys || !metadata_ok) ? SecretOp::Update : SecretOp::None;
  return w;
}

}  // namespace keyroll::rotation
