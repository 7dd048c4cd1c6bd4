// secret_writer.cpp — see secret_writer.h.
#include "operator/controller/secret_writer.h"

#include "operator/base/encoding.h"
#include "operator/rotation/vocabulary.h"

namespace keyroll::controller {

using nlohmann::json;
namespace vocab = rotation::vocab;

namespace {

json OwnerReference(const rotation::ResourceMeta& owner) {
  return {{"apiVersion", std::string(vocab::kApiVersion)}, {"kind", std::string(vocab::kKind)},
          {"name", owner.name}, {"uid", owner.uid}, {"controller", true}, {"blockOwnerDeletion", true}};
}

void MergeInto(json& target, const rotation::StringMap& values) {
  if (!target.is_object()) target = json::object();
  for (const auto& [k, v] : values) target[k] = v;
}

void Apply(json& secret, const rotation::ResourceMeta& owner, const rotation::SecretWrite& w,
           const std::optional<providers::KeySet>& raw) {
  json& meta = secret["metadata"];
  MergeInto(meta["labels"], w.labels);
  MergeInto(meta["annotations"], w.annotations);
  json refs = json::array();
  if (auto it = meta.find("ownerReferences"); it != meta.end() && it->is_array())
    for (const auto& r : *it)
      if (!(r.is_object() && r.contains("uid") && r["uid"] == owner.uid)) refs.push_back(r);
  if (w.owner_reference) refs.push_back(OwnerReference(owner));
  if (refs.empty()) meta.erase("ownerReferences");
  else meta["ownerReferences"] = refs;
  if (w.write_keys && raw) {
    if (!secret["data"].is_object()) secret["data"] = json::object();
    secret["data"][w.current_key] = base::Base64Encode(raw->current.reveal());
    secret["data"][w.next_key] = base::Base64Encode(raw->next.reveal());
    for (const auto& [key, value] : raw->extra_data) secret["data"][key] = base::Base64Encode(value.reveal());
  }
}

}  // namespace

kube::Result<json> WriteSecret(kube::Client& client, const rotation::ResourceMeta& owner,
                               const rotation::SecretWrite& w, const std::string& observed_rv,
                               const std::optional<providers::KeySet>& raw) {
  if (w.write_keys && !raw) return kube::DecodeError("no provider keys at hand for the Secret write");
  if (w.op == rotation::SecretOp::Create) {
    json secret = {{"apiVersion", "v1"}, {"kind", "Secret"}, {"type", "Opaque"},
                   {"metadata", {{"name", w.name}, {"namespace", owner.namespace_}}}};
    Apply(secret, owner, w, raw);
    return client.Create(kube::resources::kSecrets, owner.namespace_, secret);
  }
  auto live = client.Get(kube::resources::kSecrets, owner.namespace_, w.name);
  if (!live) return live.error();
  json secret = std::move(live.value());
  // The plan was made from `observed_rv`; PUT with it so a change since then is a 409.
  secret["metadata"]["resourceVersion"] = observed_rv;
  Apply(secret, owner, w, raw);
  return client.Update(kube::resources::kSecrets, owner.namespace_, secret);
}

}  // namespace keyroll::controller
