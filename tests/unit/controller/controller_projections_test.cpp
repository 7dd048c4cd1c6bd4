// What the controller's caches keep: no key material, the right fingerprints and keysHash,
// the Secret names a Deployment reads, rollout status; and how the reconciler reads it back.
#include "operator/controller/projections.h"

#include <gtest/gtest.h>

#include "operator/base/encoding.h"
#include "operator/rotation/discovery.h"
#include "operator/base/fingerprint.h"

namespace keyroll::controller {
namespace {
namespace KEYROLL_UNITY_ID {

using nlohmann::json;

json SecretWith(const std::map<std::string, std::string>& data) {
  json d = json::object();
  for (const auto& [k, v] : data) d[k] = base::Base64Encode(v);
  return {{"apiVersion", "v1"},
          {"kind", "Secret"},
          {"metadata",
           {{"name", "keys"}, {"namespace", "ns"}, {"uid", "s-uid"}, {"resourceVersion", "7"},
            {"labels", {{"app.kubernetes.io/managed-by", "keyroll"}}},
            {"annotations", {{"keyroll.dev/owner", "payments"}}},
            {"managedFields", json::array({{{"manager", "x"}}})},
            {"ownerReferences", json::array({{{"apiVersion", "keyroll.dev/v1alpha1"}, {"kind", "SigningKeyRotation"},
                                              {"name", "payments"}, {"uid", "r-uid"}, {"controller", true}}})}}},
          {"data", d}};
}

TEST(ControllerProjections, SecretKeepsFingerprintsAndHashesButNoKeyMaterial) {
  json full = SecretWith({{"QSTASH_CURRENT_SIGNING_KEY", "sig_current_value"},
                          {"QSTASH_NEXT_SIGNING_KEY", "sig_next_value"},
                          {"MY_CUR", "custom-current"},
                          {"MY_NEXT", "custom-next"}});
  json p = ProjectSecret(full, {{"MY_CUR", "MY_NEXT"}});
  std::string text = p.dump();
  for (const char* secret : {"sig_current_value", "sig_next_value", "custom-current", "custom-next"}) {
    EXPECT_EQ(text.find(secret), std::string::npos) << secret;
    EXPECT_EQ(text.find(base::Base64Encode(secret)), std::string::npos) << secret;
  }
  EXPECT_FALSE(p.contains("data"));
  EXPECT_FALSE(p["metadata"].contains("managedFields"));

  auto s = ObserveSecret(p, "QSTASH_CURRENT_SIGNING_KEY", "QSTASH_NEXT_SIGNING_KEY", "r-uid");
  ASSERT_TRUE(s);
  EXPECT_TRUE(s->exists);
  EXPECT_TRUE(s->owner_reference_to_resource);
  EXPECT_EQ(s->current_fingerprint, base::Fingerprint("sig_current_value"));
  EXPECT_EQ(s->next_fingerprint, base::Fingerprint("sig_next_value"));
  EXPECT_EQ(s->keys_hash, base::KeysHash("sig_current_value", "sig_next_value"));
  EXPECT_EQ(s->labels.at("app.kubernetes.io/managed-by"), "keyroll");
  EXPECT_EQ(s->annotations.at("keyroll.dev/owner"), "payments");

  auto custom = ObserveSecret(p, "MY_CUR", "MY_NEXT", "other-uid");
  ASSERT_TRUE(custom);
  EXPECT_FALSE(custom->owner_reference_to_resource);
  EXPECT_EQ(custom->keys_hash, base::KeysHash("custom-current", "custom-next"));
}

TEST(ControllerProjections, ObserveSecretAsksForAFreshReadWhenThePairWasNotHashed) {
  json p = ProjectSecret(SecretWith({{"A", "1"}, {"B", "2"}}), {});
  EXPECT_FALSE(ObserveSecret(p, "A", "B", "r-uid"));  // both present, hash unknown
  auto missing = ObserveSecret(p, "A", "C", "r-uid");  // one key absent: no hash needed
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->current_fingerprint, base::Fingerprint("1"));
  EXPECT_FALSE(missing->next_fingerprint);
  EXPECT_EQ(missing->keys_hash, "");
}

TEST(ControllerProjections, SecretWithOddDataNeverThrows) {
  json odd = {{"metadata", {{"name", "x"}, {"labels", {{"a", 1}}}, {"ownerReferences", "nope"}}},
              {"data", {{"K", 5}, {"L", "!!!not base64!!!"}}}};
  json p;
  ASSERT_NO_THROW(p = ProjectSecret(odd, {{"K", "L"}}));
  auto s = ObserveSecret(p, "K", "L", "uid");
  ASSERT_TRUE(s);
  EXPECT_FALSE(s->current_fingerprint);
  EXPECT_TRUE(s->labels.empty());
  ASSERT_NO_THROW(ProjectWorkload(json::array()));
  ASSERT_NO_THROW(ProjectSigningKeyRotation("text"));
}

json Deployment() {
  return json::parse(R"({
    "apiVersion": "apps/v1", "kind": "Deployment",
    "metadata": {"name": "api", "namespace": "ns", "uid": "d", "resourceVersion": "3", "generation": 4,
                 "labels": {"app": "api"}, "annotations": {"keyroll.dev/observed-keys-hash": "h1"}},
    "spec": {"replicas": 3, "paused": true,
      "template": {"metadata": {"annotations": {"keyroll.dev/keys-hash": "h2"}, "labels": {"app": "api"}},
        "spec": {
          "containers": [{"name": "c", "image": "big/image:1", "args": ["a", "b"],
                          "env": [{"name": "X", "value": "plain"},
                                  {"name": "K", "valueFrom": {"secretKeyRef": {"name": "from-env", "key": "k"}}}],
                          "envFrom": [{"secretRef": {"name": "from-envfrom"}}, {"configMapRef": {"name": "cm"}}]}],
          "initContainers": [{"name": "i", "envFrom": [{"secretRef": {"name": "from-init"}}]}],
          "volumes": [{"name": "v", "secret": {"secretName": "from-volume"}},
                      {"name": "p", "projected": {"sources": [{"secret": {"name": "from-projected"}},
                                                              {"configMap": {"name": "cm"}}]}}]}}},
    "status": {"observedGeneration": 4, "replicas": 3, "updatedReplicas": 2, "availableReplicas": 2,
               "conditions": [{"type": "Available", "status": "True"},
                              {"type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded",
                               "message": "long text"}]}
  })");
}

TEST(ControllerProjections, DeploymentKeepsTheSecretsItsPodsReadAndItsRollout) {
  json full = Deployment();
  json p = ProjectWorkload(full);
  for (const char* name : {"from-env", "from-envfrom", "from-init", "from-volume", "from-projected", "absent"})
    EXPECT_EQ(rotation::WorkloadReadsSecret(p, name), rotation::WorkloadReadsSecret(full, name)) << name;
  EXPECT_TRUE(rotation::WorkloadReadsSecret(p, "from-projected"));
  std::string text = p.dump();
  EXPECT_EQ(text.find("big/image"), std::string::npos);
  EXPECT_EQ(text.find("plain"), std::string::npos);
  EXPECT_EQ(text.find("long text"), std::string::npos);

  auto d = ObserveWorkload(p, rotation::WorkloadKind::Deployment, rotation::ConsumerSource::Discovered);
  EXPECT_EQ(d.name, "api");
  EXPECT_TRUE(d.found);
  EXPECT_EQ(d.source, rotation::ConsumerSource::Discovered);
  EXPECT_EQ(d.generation, 4);
  EXPECT_EQ(d.observed_generation, 4);
  EXPECT_EQ(d.replicas, 3);
  EXPECT_EQ(d.status_replicas, 3);
  EXPECT_EQ(d.updated_replicas, 2);
  EXPECT_EQ(d.available_replicas, 2);
  EXPECT_TRUE(d.paused);
  EXPECT_EQ(d.progressing_status, "False");
  EXPECT_EQ(d.progressing_reason, "ProgressDeadlineExceeded");
  EXPECT_EQ(d.template_keys_hash, "h2");
  EXPECT_EQ(d.observed_keys_hash, "h1");
  EXPECT_EQ(LabelsOf(p).at("app"), "api");
}

TEST(ControllerProjections, DeploymentWithoutReplicasMeansOne) {
  json p = ProjectWorkload({{"metadata", {{"name", "x"}}}, {"spec", json::object()}});
  auto d = ObserveWorkload(p, rotation::WorkloadKind::Deployment, rotation::ConsumerSource::Declared);
  EXPECT_EQ(d.replicas, 1);
  EXPECT_FALSE(d.template_keys_hash);
}

TEST(ControllerProjections, SigningKeyRotationKeepsMetadataSpecAndStatus) {
  json full = {{"apiVersion", "keyroll.dev/v1alpha1"},
               {"metadata", {{"name", "r"}, {"namespace", "ns"}, {"uid", "u"}, {"resourceVersion", "9"},
                             {"generation", 2}, {"creationTimestamp", "2026-11-22T03:00:00Z"},
                             {"annotations", {{"keyroll.dev/rotate-request", "x"}}},
                             {"managedFields", json::array()}}},
               {"spec", {{"a", 1}}},
               {"status", {{"phase", "Ready"}}}};
  json p = ProjectSigningKeyRotation(full);
  EXPECT_EQ(p["spec"], full["spec"]);
  EXPECT_EQ(p["status"], full["status"]);
  EXPECT_EQ(p["metadata"]["generation"], 2);
  EXPECT_EQ(p["metadata"]["annotations"]["keyroll.dev/rotate-request"], "x");
  EXPECT_FALSE(p["metadata"].contains("managedFields"));
}

}  // namespace KEYROLL_UNITY_ID
}  // namespace
}  // namespace keyroll::controller
