// plan.cpp — Plan helpers and ProviderErrorKind names.
#include "operator/rotation/plan.h"

#include "operator/rotation/status_json.h"

namespace keyroll::rotation {

const char* ToString(ProviderErrorKind kind) {
  switch (kind) {
    case ProviderErrorKind::Credentials: return "Credentials";
    case ProviderErrorKind::Unauthorized: return "Unauthorized";
    case ProviderErrorKind::Forbidden: return "Forbidden";
    case ProviderErrorKind::RateLimited: return "RateLimited";
    case ProviderErrorKind::Unavailable: return "Unavailable";
    case ProviderErrorKind::Timeout: return "Timeout";
    case ProviderErrorKind::OutcomeUnknown: return "OutcomeUnknown";
    case ProviderErrorKind::InvalidResponse: return "InvalidResponse";
    case ProviderErrorKind::Rejected: return "Rejected";
    case ProviderErrorKind::BadConfig: return "BadConfig";
  }
  return "Unknown";
}

bool MakesNoChanges(const Plan& p) {
  return !p.read_provider && p.secret.op == SecretOp::None && p.restarts.empty() && !p.status &&
         !p.rotate && p.revoke_kid.empty() && p.events.empty();
}

nlohmann::json PlanToJson(const Plan& p) {
  nlohmann::json j = nlohmann::json::object();
  if (p.read_provider) j["readProvider"] = true;
  if (p.secret.op != SecretOp::None) {
    j["secret"] = {{"op", p.secret.op == SecretOp::Create ? "Create" : "Update"},
                   {"name", p.secret.name},
                   {"writeKeys", p.secret.write_keys},
                   {"currentKey", p.secret.current_key},
                   {"nextKey", p.secret.next_key},
                   {"currentFingerprint", p.secret.keys.current_fingerprint},
                   {"nextFingerprint", p.secret.keys.next_fingerprint},
                   {"keysHash", p.secret.keys.keys_hash},
                   {"labels", p.secret.labels},
                   {"annotations", p.secret.annotations},
                   {"ownerReference", p.secret.owner_reference}};
    for (const auto& [k, fp] : p.secret.keys.extra_fingerprints) j["secret"]["extraFingerprints"][k] = fp;
  }
  for (const auto& r : p.restarts)
    j["restarts"].push_back({{"kind", std::string(KindName(r.kind))}, {"name", r.name}, {"keysHash", r.keys_hash}});
  if (p.status) j["status"] = StatusToJson(*p.status);
  if (p.rotate) j["rotate"] = true;
  if (!p.revoke_kid.empty()) j["revokeKid"] = p.revoke_kid;
  for (const auto& e : p.events)
    j["events"].push_back({{"type", e.type}, {"reason", e.reason}, {"message", e.message}});
  if (p.requeue_after) j["requeueAfterSeconds"] = p.requeue_after->count();
  if (p.backoff) j["backoff"] = true;
  if (!p.rotation_result.empty()) j["rotationResult"] = p.rotation_result;
  if (!p.revoke_result.empty()) j["revokeResult"] = p.revoke_result;
  return j;
}

}  // namespace keyroll::rotation
