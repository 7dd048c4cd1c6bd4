// informers.cpp — see informers.h.
#include "operator/controller/informers.h"

#include "operator/controller/projections.h"
#include "operator/rotation/vocabulary.h"

namespace keyroll::controller {

using nlohmann::json;
namespace vocab = rotation::vocab;

namespace {

std::string StringAt(const json& j, const json::json_pointer& p) {
  if (!j.contains(p)) return "";
  const json& v = j.at(p);
  return v.is_string() ? v.get<std::string>() : "";
}

}  // namespace

Informers::Informers(kube::Client& client, const std::string& watch_namespace, Enqueue enqueue)
    : enqueue_(std::move(enqueue)) {
  auto normal = [this](const std::string& key) { enqueue_(key, runtime::Lane::kNormal); };
  auto options = [&](const kube::ResourceRef& r, kube::Projection p, const std::string& selector) {
    kube::InformerOptions o;
    o.resource = r;
    o.namespace_name = watch_namespace;
    o.label_selector = selector;
    o.projection = std::move(p);
    return o;
  };
  // The index is updated before the queue hears of the change; resources left behind on an
  // account (its owner went away or moved) check again at once who owns it now.
  auto upsert = [this, normal](const json& o) {
    for (const auto& key : index_.Upsert(o)) normal(key);
    normal(kube::ObjectKey(o));
  };
  auto remove = [this, normal](const json& o) {
    for (const auto& key : index_.Remove(o)) normal(key);
    normal(kube::ObjectKey(o));
  };
  kube::InformerOptions resource_options =
      options(kube::resources::kSigningKeyRotations, ProjectSigningKeyRotation, "");
  resource_options.old_object_on_update = false;  // upsert looks at the new object only
  resource_options.absent_hint =
      "the SigningKeyRotation CRD (signingkeyrotations.keyroll.dev) is not installed: install it with "
      "`kubectl apply -f crds/keyroll.dev_signingkeyrotations.yaml` (or the Helm chart, installCRDs: true); "
      "keyroll is not ready until it is, and starts working as soon as it appears";
  resources_ = std::make_unique<kube::Informer>(
      client, resource_options,
      kube::InformerHandlers{upsert, [upsert](const json&, const json& o) { upsert(o); }, remove});

  auto on_secret = [this](const json& o) { EnqueueOwnerOfSecret(o); };
  kube::InformerOptions secret_options = options(kube::resources::kSecrets, secret_projection(),
                                                 std::string(vocab::kLabelManagedBy) + "=" + std::string(vocab::kManagedByValue));
  secret_options.old_object_on_update = false;  // the owner is queued from the new object
  secrets_ = std::make_unique<kube::Informer>(
      client, secret_options,
      kube::InformerHandlers{on_secret, [on_secret](const json&, const json& o) { on_secret(o); }, on_secret});

  // The readers index is updated before the queue hears of the change. An update may end a
  // consumer relation (labels, volumes): the old object's consumers are queued too.
  for (rotation::WorkloadKind kind : rotation::kWorkloadKinds) {
    auto on_added = [this, kind](const json& o) {
      readers_.Add(kind, o);
      EnqueueConsumersOf(kind, o);
    };
    auto on_update = [this, kind](const json& old_obj, const json& new_obj) {
      readers_.Update(kind, old_obj, new_obj);
      EnqueueConsumersOf(kind, old_obj);
      EnqueueConsumersOf(kind, new_obj);
    };
    auto on_removed = [this, kind](const json& o) {
      readers_.Remove(kind, o);
      EnqueueConsumersOf(kind, o);
    };
    kube::InformerOptions o = options(ResourceOf(kind), ProjectWorkload, "");
    o.may_be_absent = kind == rotation::WorkloadKind::Rollout;  // only where Argo Rollouts is installed
    workloads_[static_cast<size_t>(kind)] =
        std::make_unique<kube::Informer>(client, o, kube::InformerHandlers{on_added, on_update, on_removed});
  }
}

Informers::~Informers() { Stop(); }

kube::Projection Informers::resource_projection() const { return ProjectSigningKeyRotation; }
kube::Projection Informers::workload_projection() const { return ProjectWorkload; }

kube::Projection Informers::secret_projection() const {
  // Besides the providers' default data keys, keep the keysHash of the pair the owning
  // resource names (spec.target.currentKey/nextKey), looked up in the resource cache.
  return [this](const json& full) {
    std::vector<KeyPair> pairs;
    std::string owner = StringAt(full, json::json_pointer("/metadata/annotations/keyroll.dev~1owner"));
    if (!owner.empty() && resources_) {
      if (auto r = resources_->store().Get(kube::NamespaceOf(full), owner)) {
        std::string cur = StringAt(*r, json::json_pointer("/spec/target/currentKey"));
        std::string next = StringAt(*r, json::json_pointer("/spec/target/nextKey"));
        if (!cur.empty() && !next.empty()) pairs.emplace_back(cur, next);
      }
    }
    return ProjectSecret(full, pairs);
  };
}

void Informers::Start() {
  resources_->Start();
  secrets_->Start();
  for (auto& w : workloads_) w->Start();
}

void Informers::Stop() {
  for (auto& w : workloads_)
    if (w) w->Stop();
  if (secrets_) secrets_->Stop();
  if (resources_) resources_->Stop();
}

bool Informers::HasSynced() const {
  bool synced = resources_->HasSynced() && secrets_->HasSynced();
  for (const auto& w : workloads_) synced = synced && w->HasSynced();
  return synced;
}

void Informers::EnqueueOwnerOfSecret(const json& secret) {
  const std::string ns = kube::NamespaceOf(secret);
  std::string owner = StringAt(secret, json::json_pointer("/metadata/annotations/keyroll.dev~1owner"));
  if (!owner.empty()) enqueue_(ns + "/" + owner, runtime::Lane::kNormal);
  if (!secret.contains(json::json_pointer("/metadata/ownerReferences"))) return;
  const json& refs = secret.at(json::json_pointer("/metadata/ownerReferences"));
  if (!refs.is_array()) return;
  for (const auto& r : refs)
    if (r.is_object() && r.value("kind", json()) == std::string(vocab::kKind) && r.contains("name") &&
        r["name"].is_string() && r["name"] != owner)
      enqueue_(ns + "/" + r["name"].get<std::string>(), runtime::Lane::kNormal);
}

void Informers::EnqueueConsumersOf(rotation::WorkloadKind kind, const json& workload) {
  for (const auto& key : index_.ConsumersOf(kind, workload))
    enqueue_(key, runtime::Lane::kUrgent);  // the queue de-duplicates
}

}  // namespace keyroll::controller
