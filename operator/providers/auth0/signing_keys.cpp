#include "operator/providers/auth0/signing_keys.h"

#include <cctype>
#include <nlohmann/json.hpp>
#include <set>

#include "operator/providers/auth0/certificate.h"

namespace keyroll::providers::auth0 {
namespace {

using nlohmann::json;

ProviderError InvalidKeys(const std::string& what) {
  return ProviderError{ErrorKind::kInvalidAnswer, "Auth0 answered with unusable signing keys: " + what, 200,
                       std::nullopt};
}

std::optional<ProviderError> TakeFlag(const json& obj, const char* name, const std::string& kid, bool& out) {
  auto it = obj.find(name);
  if (it == obj.end() || it->is_null()) return std::nullopt;
  if (!it->is_boolean()) return InvalidKeys("key " + kid + ": \"" + name + "\" is a " + it->type_name() + ", not a boolean");
  out = it->get<bool>();
  return std::nullopt;
}

std::string OptionalString(const json& obj, const char* name) {
  auto it = obj.find(name);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : "";
}

Result<SigningKey> FromObject(const json& obj, const std::string& where) {
  if (!obj.is_object()) return InvalidKeys(where + " is a JSON " + obj.type_name() + ", not an object");
  auto kid = obj.find("kid");
  if (kid == obj.end() || !kid->is_string() || kid->get_ref<const std::string&>().empty()) {
    return InvalidKeys(where + " has no kid");
  }
  if (!IsValidKid(kid->get_ref<const std::string&>())) return InvalidKeys(where + " has a kid with unexpected characters");
  SigningKey key;
  key.kid = kid->get<std::string>();
  auto cert = obj.find("cert");
  if (cert == obj.end() || !cert->is_string() || cert->get_ref<const std::string&>().empty()) {
    return InvalidKeys("key " + key.kid + " has no cert");
  }
  key.cert = cert->get<std::string>();
  for (auto [name, flag] : {std::pair{"current", &key.current}, std::pair{"next", &key.next},
                            std::pair{"previous", &key.previous}, std::pair{"revoked", &key.revoked}}) {
    if (auto e = TakeFlag(obj, name, key.kid, *flag)) return *e;
  }
  key.fingerprint = OptionalString(obj, "fingerprint");
  key.thumbprint = OptionalString(obj, "thumbprint");
  key.current_since = OptionalString(obj, "current_since");
  key.current_until = OptionalString(obj, "current_until");
  key.revoked_at = OptionalString(obj, "revoked_at");
  return key;
}

json ParseJson(std::string_view body) { return json::parse(body, nullptr, /*allow_exceptions=*/false); }

// The single key with the flag, nullptr for none; an error for two.
std::optional<ProviderError> Single(const std::vector<SigningKey>& keys, bool SigningKey::*flag, const char* name,
                                    bool skip_revoked, const SigningKey** out) {
  *out = nullptr;
  for (const SigningKey& k : keys) {
    if (!(k.*flag) || (skip_revoked && k.revoked)) continue;
    if (*out != nullptr) return InvalidKeys("keys " + (*out)->kid + " and " + k.kid + " are both flagged " + name);
    *out = &k;
  }
  return std::nullopt;
}

}  // namespace

bool IsValidKid(std::string_view kid) {
  if (kid.empty() || kid.size() > 256) return false;
  for (unsigned char c : kid) {
    if (!std::isalnum(c) && c != '-' && c != '_' && c != '.' && c != '~') return false;
  }
  return true;
}

Result<std::vector<SigningKey>> ParseSigningKeyList(std::string_view body) {
  json doc = ParseJson(body);
  if (doc.is_discarded()) return InvalidKeys("the body is not JSON (" + std::to_string(body.size()) + " bytes)");
  if (!doc.is_array()) return InvalidKeys(std::string("the body is a JSON ") + doc.type_name() + ", not an array");
  std::vector<SigningKey> keys;
  std::set<std::string> kids;
  for (std::size_t i = 0; i < doc.size(); ++i) {
    auto key = FromObject(doc[i], "key #" + std::to_string(i + 1));
    if (!key) return key.error();
    if (!kids.insert(key->kid).second) return InvalidKeys("kid " + key->kid + " is listed twice");
    keys.push_back(std::move(key.value()));
  }
  return keys;
}

Result<SigningKey> ParseSigningKey(std::string_view body) {
  json doc = ParseJson(body);
  if (doc.is_discarded()) return InvalidKeys("the body is not JSON (" + std::to_string(body.size()) + " bytes)");
  return FromObject(doc, "the key");
}

Result<KeySet> KeySetFromSigningKeys(const std::vector<SigningKey>& keys) {
  const SigningKey* current = nullptr;
  const SigningKey* next = nullptr;
  const SigningKey* previous = nullptr;
  if (auto e = Single(keys, &SigningKey::current, "current", false, &current)) return *e;
  if (auto e = Single(keys, &SigningKey::next, "next", false, &next)) return *e;
  if (auto e = Single(keys, &SigningKey::previous, "previous", true, &previous)) return *e;
  if (current == nullptr) return InvalidKeys("no key is flagged current");
  if (next == nullptr) return InvalidKeys("no key is flagged next");
  if (current == next) return InvalidKeys("key " + current->kid + " is flagged both current and next");
  if (current->revoked) return InvalidKeys("key " + current->kid + " is revoked but flagged current");
  if (next->revoked) return InvalidKeys("key " + next->kid + " is revoked but flagged next");
  if (previous == current || previous == next) {
    return InvalidKeys("key " + previous->kid + " is flagged previous and " + (previous == current ? "current" : "next"));
  }

  std::vector<std::pair<std::string, RsaCertificate>> certs;
  for (const SigningKey* k : {current, next, previous}) {
    if (k == nullptr) continue;
    auto cert = ParseRsaCertificate(k->cert);
    if (!cert) return InvalidKeys("key " + k->kid + ": " + cert.error().message);
    certs.emplace_back(k->kid, std::move(cert.value()));
  }
  if (certs[0].second.der == certs[1].second.der) {
    return InvalidKeys("keys " + current->kid + " and " + next->kid + " (current and next) have the same certificate");
  }
  std::vector<std::pair<std::string, const RsaCertificate*>> jwks;
  for (const auto& [kid, cert] : certs) jwks.emplace_back(kid, &cert);

  KeySet out;
  out.current = SecretValue(certs[0].second.canonical_pem);
  out.next = SecretValue(certs[1].second.canonical_pem);
  out.extra_data[kJwksEntry] = SecretValue(JwksJson(jwks));
  out.metadata[kCurrentKid] = current->kid;
  out.metadata[kNextKid] = next->kid;
  out.metadata[kPreviousKid] = previous != nullptr ? previous->kid : "";
  return out;
}

}  // namespace keyroll::providers::auth0
